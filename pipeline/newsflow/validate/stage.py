"""The logic of the validate stage: the articles suite splits an hour's rows into good and quarantine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow.runs import StageRecorder
from newsflow.validate import validate_table
from newsflow.validate.quarantine import stage_failure


@dataclass
class Validated:
    good: pa.Table
    quarantine: list[dict[str, Any]] = field(default_factory=list)  # ``storage.QUARANTINE`` rows


def validate_articles(articles: pa.Table, suites_dir: Path, run_id: str, rec: StageRecorder) -> Validated:
    """Rows failing any expectation go to quarantine with the reasons and the offending values.

    If validating the batch raises (a value GX cannot handle), each row is validated alone, so the
    row that breaks it is quarantined with the error and the others go on.
    """
    try:
        outcome = validate_table("articles", articles, "article_id", suites_dir, run_id)
        good, quarantine = outcome.good, list(outcome.quarantined)
        rec.count("expectations", outcome.expectations_run)
    except (FileNotFoundError, ValueError):
        raise  # a missing or invalid suite is a configuration error: the task fails, nothing is published
    except Exception:  # noqa: BLE001 - isolate the row that breaks validation
        good_parts, quarantine = [], []
        for i, row in enumerate(articles.to_pylist()):
            single = articles.slice(i, 1)
            try:
                outcome = validate_table("articles", single, "article_id", suites_dir, run_id)
            except Exception as exc:  # noqa: BLE001
                quarantine.append(stage_failure("articles", row.get("article_id"), row, "validate", exc, run_id))
                continue
            good_parts.append(outcome.good)
            quarantine.extend(outcome.quarantined)
        good = pa.concat_tables(good_parts) if good_parts else articles.slice(0, 0)
    for q in quarantine:
        for reason in q["failed_expectations"]:
            rec.count(f"failed.{reason}")
    rec.count("valid", good.num_rows)
    rec.count("quarantined", len(quarantine))
    return Validated(good=good, quarantine=quarantine)
