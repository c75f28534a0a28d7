"""The one shape of a ``fetches`` row (``storage.FETCHES``), and its inverse for replays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsflow.fetch.client import FetchResult


def fetch_row(result: FetchResult, *, kind: str, feed: str | None, raw_ref: str | None, run_id: str) -> dict[str, Any]:
    """What the ``fetches`` dataset records of one fetch: enough to replay it exactly from ``raw/``."""
    return {
        "url": result.url,
        "final_url": result.final_url,
        "feed": feed,
        "kind": kind,
        "status": result.status,
        "etag": result.headers.get("etag"),
        "last_modified": result.headers.get("last-modified"),
        "content_type": result.content_type,
        "bytes": len(result.body),
        "seconds": result.seconds,
        "error_class": result.error_class,
        "error": result.error,
        "raw_ref": raw_ref,
        "fetched_at": result.fetched_at,
        "run_id": run_id,
    }


def result_from_row(row: Mapping[str, Any], body: bytes) -> FetchResult:
    """The :class:`FetchResult` a recorded ``fetches`` row stands for, with its body from ``raw/``."""
    headers = {
        name: value
        for name, value in (
            ("content-type", row.get("content_type")),
            ("etag", row.get("etag")),
            ("last-modified", row.get("last_modified")),
        )
        if value
    }
    return FetchResult(
        url=row["url"],
        final_url=row.get("final_url"),
        status=row.get("status"),
        headers=headers,
        body=body,
        seconds=row.get("seconds") or 0.0,
        fetched_at=row.get("fetched_at"),
        error_class=row.get("error_class"),
        error=row.get("error"),
    )
