"""The logic of the validate stage: the articles suite splits an hour's rows into good and quarantine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow.runs import StageRecorder
from newsflow.validate import validate_table


@dataclass
class Validated:
    good: pa.Table
    quarantine: list[dict[str, Any]] = field(default_factory=list)  # ``storage.QUARANTINE`` rows


def validate_articles(articles: pa.Table, suites_dir: Path, run_id: str, rec: StageRecorder) -> Validated:
    """Rows failing any expectation go to quarantine with the reasons and the offending values."""
    outcome = validate_table("articles", articles, id_column="article_id", suites_dir=suites_dir)
    quarantine = [{"dataset": "articles", "run_id": run_id, **q} for q in outcome.quarantined]
    for q in outcome.quarantined:
        for reason in q["failed_expectations"]:
            rec.count(f"failed.{reason}")
    rec.count("valid", outcome.good.num_rows)
    rec.count("quarantined", len(quarantine))
    rec.count("expectations", outcome.expectations_run)
    return Validated(good=outcome.good, quarantine=quarantine)
