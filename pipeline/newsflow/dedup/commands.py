"""``newsflow dedup``: the pipeline's deduplication from the command line.

    newsflow dedup FILE.jsonl --json [--index DIR] [--hour ISO] [--no-commit]
    newsflow dedup rebuild [--data DIR] [--index DIR]
    newsflow dedup status [--data DIR] [--index DIR]

``FILE.jsonl`` holds one article per line, in arrival order: ``{"id", "url", "title", "body",
"published"}`` (``published`` ISO 8601 or null; ``-`` reads standard input). Each line gets one
JSON object back, in the same order: ``id``, ``story_id``, ``duplicate_of``, ``similarity``,
``version`` (the stable contract; keys are only ever added: ``kind`` says which rule decided).
A line that cannot be read gets ``{"line", "id", "error"}`` instead, never a traceback.
The file is decided as one logical hour by ``assign_stories``, the function the pipeline's
stage calls, against a fresh in-memory history; with ``--index DIR`` against the history
persisted there, and then committed to it (so the next file sees this one), as the hour given
by ``--hour`` or else the hour after the newest one in the index (at the earliest the current
hour). Giving the same ``--hour`` again replaces that batch, as a pipeline rerun does.

``rebuild`` rebuilds the index (default ``<data>/state/dedup``) from the published ``articles``
partitions that carry a ``_SUCCESS`` marker (and the articles their hour quarantined), in hour
order, with canonical URLs re-derived under today's rules, and swaps it in atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.features import prepare
from newsflow.dedup.hashing import content_hash
from newsflow.dedup.keys import hour_datetime, hour_number
from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.store import DedupIndex, MemoryHistory, SegmentIndex
from newsflow.dedup.stories import assign_stories, committed

ARTICLE_COLUMNS = (
    "article_id",
    "url",
    "canonical_url",
    "title",
    "body",
    "published",
    "content_hash",
    "story_id",
    "duplicate_of",
    "similarity",
    "version",
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``newsflow dedup`` on the CLI's subparsers (one line in ``cli.py``)."""
    p = subparsers.add_parser(
        "dedup",
        help="assign story ids to articles in a JSON-lines file; or rebuild / inspect the dedup index",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("target", help="FILE.jsonl (or - for stdin), 'rebuild' or 'status'")
    p.add_argument("--json", action="store_true", help="one JSON object per input line (the default output)")
    p.add_argument(
        "--index", help="persisted index directory (default: fresh in memory; rebuild/status: <data>/state/dedup)"
    )
    p.add_argument("--hour", help="logical hour of this batch, ISO 8601 (with --index: replaces that hour)")
    p.add_argument("--no-commit", action="store_true", help="with --index: decide only, leave the index unchanged")
    p.add_argument("--threshold", type=float, help="near-duplicate similarity threshold (default from settings)")
    p.add_argument("--data", help="data root for rebuild/status (default: $NEWSFLOW_DATA or ./data)")
    p.set_defaults(func=cmd_dedup)
    return p


def _settings(args: argparse.Namespace) -> DedupSettings:
    overrides = {"threshold": args.threshold} if args.threshold is not None else {}
    return DedupSettings.from_env(**overrides)


def _data_root(args: argparse.Namespace) -> Path:
    if args.data:
        return Path(args.data)
    from newsflow.config import Settings

    return Path(Settings.from_env().data_root)


def _index_dir(args: argparse.Namespace) -> Path:
    return Path(args.index) if args.index else _data_root(args) / "state" / "dedup"


def cmd_dedup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.target == "rebuild":
        return _rebuild(args, settings)
    if args.target == "status":
        index = DedupIndex(_index_dir(args), settings)
        print(json.dumps(_readable_status(index.status()), indent=2))
        return 0
    if args.target == "-":
        return decide_file(sys.stdin, args, settings, sys.stdout)
    path = Path(args.target)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (give a JSON-lines file, '-', 'rebuild' or 'status')")
    with open(path, encoding="utf-8", errors="replace") as fh:
        return decide_file(fh, args, settings, sys.stdout)


def _readable_status(status: dict[str, Any]) -> dict[str, Any]:
    for key in ("first_hour", "last_hour"):
        if status.get(key) is not None:
            status[key] = hour_datetime(status[key]).isoformat()
    return status


def _parse_published(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("published must be an ISO 8601 string or null")
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_line(text: str) -> dict[str, Any]:
    """One input line as an article row; ``ValueError`` says what is wrong with it."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(doc, dict):
        raise ValueError("expected a JSON object")
    article_id, url = doc.get("id"), doc.get("url")
    if not isinstance(article_id, str | int) or isinstance(article_id, bool) or str(article_id) == "":
        raise ValueError("missing 'id' (a string)")
    if not isinstance(url, str) or not url.strip():
        raise ValueError("missing 'url' (a string)")
    body = doc.get("body")
    if body is not None and not isinstance(body, str):
        raise ValueError("'body' must be a string or null")
    title = doc.get("title")
    try:
        published = _parse_published(doc.get("published"))
    except ValueError as exc:
        raise ValueError(f"'published' is not ISO 8601: {doc.get('published')!r}") from exc
    return {
        "article_id": str(article_id),
        "url": url,
        "canonical_url": canonical_url(url),
        "title": title if isinstance(title, str) else None,
        "body": body,
        "published": published,
        "content_hash": content_hash(body) if body and body.strip() else None,
    }


def _batch_hour(args: argparse.Namespace, index: SegmentIndex) -> int:
    if args.hour:
        return hour_number(_parse_published(args.hour) or datetime.now(UTC))
    now = hour_number(datetime.now(UTC))
    return max(now, max(index.committed) + 1) if index.committed else now


def decide_file(lines: TextIO, args: argparse.Namespace, settings: DedupSettings, out: TextIO) -> int:
    """Decide every article of a JSON-lines stream as one hour; print one object per line."""
    index: SegmentIndex = DedupIndex(args.index, settings) if args.index else MemoryHistory(settings)
    results: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    slots: list[int] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            row = parse_line(text)
        except ValueError as exc:
            results.append({"line": number, "id": _loose_id(text), "error": str(exc)})
            continue
        slots.append(len(results))
        results.append({"line": number, "id": row["article_id"]})
        rows.append(row)
    hour = _batch_hour(args, index)
    prepared = prepare(rows, settings)
    decisions = assign_stories(rows, index, hour, settings, prepared)
    for slot, decision in zip(slots, decisions, strict=True):
        del results[slot]["line"]
        results[slot].update(
            story_id=decision.story_id,
            duplicate_of=decision.duplicate_of,
            similarity=decision.similarity,
            version=decision.version,
            kind=decision.kind,
        )
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    if isinstance(index, DedupIndex) and not args.no_commit:
        index.commit_hour(hour, *committed(rows, decisions, prepared))
    return 0


def _loose_id(text: str) -> str | None:
    """The ``id`` of a line that failed validation, when it can still be read."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    value = doc.get("id") if isinstance(doc, dict) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def published_hours(data_root: Path) -> Iterator[tuple[datetime, list[dict[str, Any]]]]:
    """``(logical hour, article rows)`` of every committed hour, oldest first.

    An hour's rows are what its dedup stage decided about: the published ``articles`` plus the
    articles that validation quarantined (their rows are kept as JSON in ``quarantine``), which
    is what the pipeline commits to the index, so a rebuild gives the index an hour-by-hour run
    would have.
    """
    from newsflow import storage

    base = Path(data_root) / "articles"
    hours: list[datetime] = []
    for marker in base.glob(f"dt=*/hour=*/{storage.SUCCESS_FILE}"):
        try:
            day = marker.parent.parent.name.removeprefix("dt=")
            hour_of_day = int(marker.parent.name.removeprefix("hour="))
            hours.append(datetime.fromisoformat(day).replace(hour=hour_of_day, tzinfo=UTC))
        except ValueError:
            continue
    for hour in sorted(hours):
        table = storage.read_partition(data_root, "articles", hour)
        if table is None:
            continue
        rows = table.select(list(ARTICLE_COLUMNS)).to_pylist()
        quarantined = storage.read_partition(data_root, "quarantine", hour)
        for record in quarantined.to_pylist() if quarantined is not None else []:
            row = _quarantined_article(record)
            if row is not None:
                rows.append(row)
        yield hour, [_recanonicalised(row) for row in rows]


def _recanonicalised(row: dict[str, Any]) -> dict[str, Any]:
    """The row with today's canonical URL, so URLs published under older rules still match new links.

    ``canonical_url`` maps its own output to itself, and an older rule's output (``www.`` kept, an
    AMP path) to today's; the article keeps its published ``article_id`` and ``story_id``.
    """
    try:
        return {**row, "canonical_url": canonical_url(str(row["canonical_url"]))}
    except ValueError:
        return row


def _quarantined_article(record: dict[str, Any]) -> dict[str, Any] | None:
    if record.get("dataset") != "articles":
        return None
    try:
        row = json.loads(record["row"])
    except (TypeError, ValueError):
        return None
    if not isinstance(row, dict) or not row.get("article_id") or not row.get("canonical_url"):
        return None
    row = {key: row.get(key) for key in ARTICLE_COLUMNS}
    try:
        row["published"] = _parse_published(row["published"])
    except ValueError:
        row["published"] = None
    return row


def _rebuild(args: argparse.Namespace, settings: DedupSettings) -> int:
    data_root = _data_root(args)
    if not (data_root / "articles").is_dir():
        raise FileNotFoundError(f"no articles dataset under {data_root}: nothing to rebuild from")
    index = DedupIndex(_index_dir(args), settings)
    status = index.rebuild(published_hours(data_root))
    print(json.dumps(_readable_status(status), indent=2))
    return 0
