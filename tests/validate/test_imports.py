"""GX costs seconds to import: importing the validation package, the reader or the data dictionary
must not import it (nor pandas), so DAG parsing and the CLI stay fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_validation_does_not_import_gx():
    code = (
        "import json, sys\n"
        "import newsflow.validate, newsflow.validate.batch, newsflow.validate.docs, newsflow.datasets, "
        "newsflow.schema_docs\n"
        "print(json.dumps([m for m in ('great_expectations', 'pandas', 'duckdb') if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": f"{ROOT / 'pipeline'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
