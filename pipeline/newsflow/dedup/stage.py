"""The logic of the dedup stage: an hour's valid articles against all earlier history.

Runs after validation, so an original is always a row that is published: a quarantined first copy
can never leave a valid copy pointing at a row that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from newsflow.runs import StageRecorder

Row = dict[str, Any]
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class History(Protocol):
    """What other committed hours hold (see :class:`newsflow.dedup.index.HistoryIndex`)."""

    def earlier(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str]]: ...

    def elsewhere(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str, str]]: ...


def deduplicate(rows: Sequence[Row], history: History, hour: datetime, rec: StageRecorder) -> list[Row]:
    """Mark exact duplicates (same canonical URL after redirects, or same content) across all history.

    An article another hour committed is not published again (it belongs to that hour, even when
    this hour is an earlier one being backfilled). The first article with a given content is the
    story's original; later ones keep their row but carry ``duplicate_of`` and the original's
    ``story_id``. Rows are taken earliest published first, then by id, so reruns pick the same
    originals.
    """
    ordered = sorted(rows, key=lambda r: (r["published"] or _FAR_FUTURE, r["article_id"]))
    earlier_urls = history.elsewhere("url", [r["canonical_url"] for r in ordered], hour)
    earlier_content = history.earlier("content", [r["content_hash"] for r in ordered if r["content_hash"]], hour)
    kept: list[Row] = []
    ids_in_run: set[str] = set()
    content_in_run: dict[str, tuple[str, str]] = {}
    for original_row in ordered:
        row = dict(original_row)
        if row["canonical_url"] in earlier_urls or row["article_id"] in ids_in_run:
            rec.count("url_duplicates")  # a redirect led to a URL we already have
            continue
        ids_in_run.add(row["article_id"])
        digest = row["content_hash"]
        original = (earlier_content.get(digest) or content_in_run.get(digest)) if digest else None
        if original:
            row["duplicate_of"], row["story_id"], row["similarity"] = original[0], original[1], 1.0
            rec.count("content_duplicates")
        else:
            row["story_id"] = row["article_id"]
            if digest:
                content_in_run[digest] = (row["article_id"], row["story_id"])
            rec.count("originals")
        kept.append(row)
    return kept


def history_entries(articles: Sequence[Row], quarantined: Sequence[Row]) -> dict[str, list[tuple[str, str, str]]]:
    """What an hour adds to history: every URL it decided about (published or quarantined), and the
    content of what it published, each as ``(key, article_id, story_id)``."""
    urls = [(r["canonical_url"], r["article_id"], r["story_id"]) for r in articles]
    urls += [(r["canonical_url"], r["article_id"], r["article_id"]) for r in quarantined if r.get("canonical_url")]
    content = [
        (r["content_hash"], r["duplicate_of"] or r["article_id"], r["story_id"]) for r in articles if r["content_hash"]
    ]
    return {"url": urls, "content": content}
