"""The hour's summary: what a published hour holds, for the demo, the CLI and the task logs."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow import storage
from newsflow.context import floor_hour
from newsflow.runs import merge_counts


def summarize(data_root: Path, logical_hour: datetime) -> dict[str, Any]:
    """What the published hour holds: the demo's and the CLI's summary."""
    hour = floor_hour(logical_hour)
    out: dict[str, Any] = {"logical_hour": hour.isoformat(), "data_root": str(Path(data_root).resolve())}
    tables: dict[str, pa.Table] = {}
    for name in ("articles", "facts", "quarantine", "runs"):
        table = storage.read_partition(data_root, name, hour)
        if table is None:
            raise FileNotFoundError(
                f"no complete partition for {name} at {hour:%Y-%m-%dT%H:00}Z under {data_root}; "
                "run `newsflow run --logical-date ...` for that hour first"
            )
        tables[name] = table
    articles = tables["articles"].to_pylist()
    runs = tables["runs"].to_pylist()
    stage_counts: dict[str, dict[str, Any]] = {}
    for r in runs:
        if r["feed"] is None and r["url"] is None:  # a stage's summary row (one per shard of a sharded stage)
            merge_counts(stage_counts.setdefault(r["stage"], {}), json.loads(r["counts"] or "{}"))
    out["articles"] = len(articles)
    out["originals"] = sum(1 for a in articles if a["duplicate_of"] is None and (a["version"] or 1) == 1)
    out["content_duplicates"] = sum(1 for a in articles if a["duplicate_of"] is not None)
    out["url_duplicates"] = sum(
        stage_counts.get(s, {}).get("url_duplicates", 0) for s in ("fetch_feeds", "collect_links", "dedup")
    )
    out["duplicates"] = out["content_duplicates"] + out["url_duplicates"]
    out["already_seen"] = stage_counts.get("collect_links", {}).get("already_seen", 0)
    out["refetched"] = stage_counts.get("fetch_pages", {}).get("refetched", 0)
    out["updates"] = sum(1 for a in articles if (a["version"] or 1) > 1)
    sightings = storage.read_partition(data_root, "sightings", hour)  # absent before schema version 3
    out["sightings"] = sightings.num_rows if sightings is not None else 0
    out["sighting_feeds"] = len(set(sightings.column("feed").to_pylist())) if sightings is not None else 0
    out["quarantined"] = tables["quarantine"].num_rows
    out["quarantine_reasons"] = dict(
        Counter(r for q in tables["quarantine"].to_pylist() for r in q["failed_expectations"])
    )
    out["facts"] = tables["facts"].num_rows
    out["facts_by_type"] = dict(sorted(Counter(tables["facts"].column("fact_type").to_pylist()).items()))
    errors = [r for r in runs if r["error_class"]]
    out["errors"] = dict(Counter(r["error_class"] for r in errors))
    out["seconds"] = round(sum(r["seconds"] or 0 for r in runs if r["feed"] is None and r["url"] is None), 2)
    root = Path(data_root).resolve()
    out["partitions"] = {
        name: str(storage.partition_dir(root, name, hour))
        for name in storage.SCHEMAS
        if (storage.partition_dir(root, name, hour) / storage.SUCCESS_FILE).exists()  # sightings: schema v3 on
    }
    return out


def format_summary(summary: dict[str, Any], seconds: float | None = None) -> str:
    """The summary as the demo and ``newsflow run`` print it."""
    lines = [
        f"newsflow: hour {summary['logical_hour']}",
        f"  articles     {summary['articles']:>6}  ({summary['originals']} originals, {summary['updates']} updates)",
        f"  duplicates   {summary['duplicates']:>6}  (same URL in several feeds, with tracking params or after "
        f"redirects: {summary['url_duplicates']}; same content: {summary['content_duplicates']})",
        f"  already seen {summary['already_seen']:>6}  (links published in earlier hours; downloaded again because "
        f"their feed entry changed: {summary['refetched']})",
        f"  sightings    {summary['sightings']:>6}  (feed entries, in {summary['sighting_feeds']} feeds)",
        f"  quarantined  {summary['quarantined']:>6}  {summary['quarantine_reasons'] or ''}",
        f"  facts        {summary['facts']:>6}  {summary['facts_by_type']}",
        f"  errors       {sum(summary['errors'].values()):>6}  {summary['errors'] or ''}",
        f"  seconds      {seconds if seconds is not None else summary['seconds']:>6.1f}",
        "  parquet:",
    ]
    lines += [f"    {name:<11} {path}" for name, path in summary["partitions"].items()]
    return "\n".join(lines)
