"""Sightings: every feed entry that pointed at an article, so analysts can count its feeds.

Fetching keeps one link per canonical URL (the page is downloaded once), but each feed that
carried the article, and when, is worth keeping: one ``sightings`` row per (feed, entry) per
logical hour in which the feed was downloaded, with the entry's own link, title and dates as the
feed gave them. A feed that answered "not modified" (304) or was not due that hour adds no rows:
the first hour a feed carried an article is ``min(logical_hour)`` per ``(article_id, feed)``, and
an article's feeds are ``count(DISTINCT feed)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import stable_id
from newsflow.storage import SCHEMA_VERSION, SIGHTINGS


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sightings(
    links: Iterable[Mapping[str, Any]],
    logical_hour: datetime,
    run_id: str,
    article_ids: Mapping[str, str] | None = None,
) -> pa.Table:
    """The hour's sightings table from its feed links (every entry, duplicates across feeds included).

    ``links`` rows carry ``url``, ``feed`` and optionally ``canonical_url``, ``site``,
    ``entry_title``, ``entry_published``, ``entry_updated``, ``entry_id`` (``storage.ENTRIES``).
    ``article_ids`` maps a link's canonical
    URL to the article it turned out to be (after redirects or the page's own ``rel=canonical``);
    otherwise the article id is the one of the link's canonical URL. Links that are not http(s)
    URLs are left out (fetching records them as invalid links). The same entry listed twice by
    one feed counts once.
    """
    hour = _utc(logical_hour)
    if hour is None:
        raise ValueError("logical_hour must be a datetime")
    resolve = article_ids or {}
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for link in links:
        url, feed = link.get("url"), link.get("feed")
        if not url or not feed:
            continue
        try:
            canonical = link.get("canonical_url") or canonical_url(str(url))
        except ValueError:
            continue
        key = (str(feed), str(url), str(link.get("entry_id") or ""))
        rows.setdefault(
            key,
            {
                "article_id": resolve.get(canonical) or stable_id(canonical),
                "canonical_url": canonical,
                "feed": str(feed),
                "site": link.get("site"),
                "entry_url": str(url),
                "entry_title": link.get("entry_title"),
                "entry_published": _utc(link.get("entry_published")),
                "entry_updated": _utc(link.get("entry_updated")),
                "entry_id": link.get("entry_id"),
                "logical_hour": hour,
                "run_id": run_id,
                "schema_version": SCHEMA_VERSION,
            },
        )
    ordered = sorted(rows.values(), key=lambda r: (r["article_id"], r["feed"], r["entry_url"], r["entry_id"] or ""))
    return pa.Table.from_pylist(ordered, schema=SIGHTINGS)
