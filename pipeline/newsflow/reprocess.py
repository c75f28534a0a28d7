"""Re-derive a committed hour's facts from its stored articles, without fetching anything.

After a change to the fact extractors, ``newsflow facts --reprocess --from … --to …`` (and the
``news_facts`` DAG) recompute every hour in the range: the hour's articles are read from its
committed version, the facts stage runs on them, and the hour is committed again as a new version
(the same atomic switch as a run's publish), with new ``facts``, the articles' ``facts_status``,
the facts stage's quarantine rows replaced and a ``reprocess_facts`` row added to ``runs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsflow import storage
from newsflow.facts.model import extractor_version
from newsflow.facts.stage import fact_rows
from newsflow.locks import HourLease
from newsflow.publish import commit_hour, committed_version
from newsflow.runs import StageRecorder

STAGE = "reprocess_facts"


@dataclass(frozen=True)
class Reprocessed:
    hour: datetime
    done: bool  # False: nothing committed for the hour, or its facts are already current
    articles: int = 0
    facts: int = 0


def facts_are_current(data_root: Path, hour: datetime) -> bool:
    """Whether the hour's facts were made by today's extractor (an hour without facts is current)."""
    facts = storage.read_partition(data_root, "facts", hour)
    if facts is None or facts.num_rows == 0:
        return True
    return set(facts.column("extractor_version").to_pylist()) == {extractor_version()}


def reprocess_hour(data_root: Path, hour: datetime, run_id: str, only_if_stale: bool = False) -> Reprocessed:
    """Recompute one committed hour's facts and commit the hour again."""
    if committed_version(data_root, hour) is None or (only_if_stale and facts_are_current(data_root, hour)):
        return Reprocessed(hour, done=False)
    lease = HourLease(data_root, hour, run_id)
    with lease.hold():
        tables = {name: storage.read_partition(data_root, name, hour) for name in storage.SCHEMAS}
        # A dataset newer than the hour's commit (sightings before schema version 3) stays absent.
        missing = [name for name, table in tables.items() if table is None and name not in storage.SINCE_VERSION]
        if missing:
            raise FileNotFoundError(f"hour {hour:%Y-%m-%dT%H}: committed without {missing}; rerun the hour")
        current = {name: table for name, table in tables.items() if table is not None}
        rec = StageRecorder(run_id, hour, STAGE)
        out = fact_rows(current["articles"].to_pylist(), run_id, rec)
        quarantine = current["quarantine"]
        kept = quarantine.filter(pc.invert(pc.fill_null(pc.equal(quarantine.column("stage"), "facts"), False)))
        new = {
            **current,
            "articles": storage.to_table("articles", out.articles),
            "facts": storage.to_table("facts", out.facts),
            "quarantine": pa.concat_tables([kept, storage.to_table("quarantine", out.quarantine)]),
            "runs": pa.concat_tables([current["runs"], storage.to_table("runs", rec.finish())]),
        }
        commit_hour(data_root, hour, new, run_id)
    lease.release()
    return Reprocessed(hour, done=True, articles=len(out.articles), facts=len(out.facts))
