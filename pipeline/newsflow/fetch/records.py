"""The ``fetches`` dataset row: built in exactly one place, and read back in exactly one place.

:func:`fetch_row` turns a :class:`FetchResult` into the row the hour publishes; :func:`result_from_row`
is its inverse, used by the replay fetcher and by :func:`newsflow.fetch.state.rebuild_from_fetches`.
The row keeps every response header (``headers``, JSON), so a replay answers with the same
headers, statuses, bytes (through ``raw_ref``) and fetch times as the original hour.

``FETCHES_SCHEMA`` is ``storage.FETCHES``, where every schema lives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsflow import storage
from newsflow.fetch.protocol import FetchResult

if TYPE_CHECKING:
    from newsflow.raw import RawStore

FETCHES_SCHEMA = storage.FETCHES
NEW_COLUMNS = FETCHES_SCHEMA.names[FETCHES_SCHEMA.names.index("headers") :]


def fetch_row(
    result: FetchResult,
    *,
    kind: str,
    feed: str | None,
    raw_ref: str | None,
    run_id: str,
    items: int | None = None,
    items_per_day: float | None = None,
    entry_fp: str | None = None,
) -> dict[str, Any]:
    """The ``fetches`` row for one result (``schema_version`` is added by ``storage.to_table``)."""
    return {
        "url": result.url,
        "final_url": result.final_url,
        "feed": feed,
        "kind": kind,
        "status": result.status,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "content_type": result.content_type,
        "bytes": result.nbytes or len(result.body),
        "seconds": result.seconds,
        "error_class": result.error_class,
        "error": result.error,
        "raw_ref": raw_ref,
        "fetched_at": result.fetched_at,
        "run_id": run_id,
        "headers": json.dumps(result.headers, sort_keys=True, ensure_ascii=False) if result.headers else None,
        "wire_bytes": result.wire_bytes,
        "attempts": result.attempts,
        "hops": list(result.hops),
        "retry_after": result.retry_after,
        "items": items,
        "items_per_day": items_per_day,
        "entry_fp": entry_fp,
    }


def _headers_of(row: Mapping[str, Any]) -> dict[str, str]:
    raw = row.get("headers")
    if raw:
        try:
            parsed = json.loads(raw)
        except (TypeError, ValueError):
            parsed = None
        if isinstance(parsed, dict):
            return {str(k): str(v) for k, v in parsed.items()}
    # Rows written before the headers column: the three headers they kept.
    return {
        k: v
        for k, v in (
            ("content-type", row.get("content_type")),
            ("etag", row.get("etag")),
            ("last-modified", row.get("last_modified")),
        )
        if v
    }


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def result_from_row(row: Mapping[str, Any], store: RawStore | None = None) -> FetchResult:
    """The :class:`FetchResult` a ``fetches`` row records; the body stays in the store (``read_body``)."""
    return FetchResult(
        url=row["url"],
        final_url=row.get("final_url"),
        status=row.get("status"),
        headers=_headers_of(row),
        body=b"",
        seconds=row.get("seconds") or 0.0,
        fetched_at=_aware(row.get("fetched_at")),
        error_class=row.get("error_class"),
        error=row.get("error"),
        kind=row.get("kind") or "page",
        feed=row.get("feed"),
        raw_ref=row.get("raw_ref"),
        nbytes=row.get("bytes") or 0,
        wire_bytes=row.get("wire_bytes") or 0,
        attempts=row.get("attempts") or 0,
        hops=tuple(row.get("hops") or ()),
        retry_after=row.get("retry_after"),
        store=store,
    )
