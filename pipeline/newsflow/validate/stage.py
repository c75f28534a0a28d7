"""The logic of the validate stage: the articles suite splits an hour's rows into good and quarantine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow.runs import StageRecorder
from newsflow.validate.quarantine import stage_failure
from newsflow.validate.tables import SuiteResult, validate_articles_table


@dataclass
class Validated:
    good: pa.Table
    quarantine: list[dict[str, Any]] = field(default_factory=list)  # ``storage.QUARANTINE`` rows
    results: list[SuiteResult] = field(default_factory=list)  # for the Data Docs


def validate_articles(articles: pa.Table, suites_dir: Path, run_id: str, rec: StageRecorder) -> Validated:
    """Rows failing any expectation go to quarantine with the reasons and the offending values.

    If validating the batch raises (a value GX cannot handle), each row is validated alone, so the
    row that breaks it is quarantined with the error and the others go on.
    """
    results: list[SuiteResult] = []
    try:
        good, quarantine = validate_articles_table(articles, suites_dir, run_id, results=results)
    except (FileNotFoundError, ValueError):
        raise  # a missing or invalid suite is a configuration error: the task fails, nothing is published
    except Exception:  # noqa: BLE001 - isolate the row that breaks validation
        good_parts, quarantine = [], []
        for i, row in enumerate(articles.to_pylist()):
            try:
                part, rows = validate_articles_table(articles.slice(i, 1), suites_dir, run_id)
            except Exception as exc:  # noqa: BLE001
                quarantine.append(stage_failure("articles", row.get("article_id"), row, "validate", exc, run_id))
                continue
            good_parts.append(part)
            quarantine.extend(rows)
        good = pa.concat_tables(good_parts) if good_parts else articles.slice(0, 0)
    for q in quarantine:
        for reason in q["failed_expectations"]:
            rec.count(f"failed.{reason}")
    rec.count("valid", good.num_rows)
    rec.count("quarantined", len(quarantine))
    return Validated(good=good, quarantine=quarantine, results=results)
