"""From parsed feed entries to the hour's links: canonical, valid, each once per run.

Pure: the fetch stage hands in the entries of one feed, gets back the rows of the staged
``links`` table (``storage.LINKS``: each canonical URL once, its page is downloaded once), every
valid entry (``storage.ENTRIES``: the hour's feed sightings, repeats across feeds included) and
what was rejected, and records the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsflow.dedup.canonical import canonical_url
from newsflow.fetch.planning import entry_fingerprint
from newsflow.sources.parse import Entry
from newsflow.sources.registry import FeedSpec


@dataclass
class FeedLinks:
    """The links one feed contributed: new ones, invalid ones, and repeats of an earlier feed's."""

    links: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)  # every valid entry, repeats included
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (link, why)
    repeats: int = 0


def links_from_entries(spec: FeedSpec, entries: Iterable[Entry], seen_in_run: set[str]) -> FeedLinks:
    """The entries' links not yet in ``seen_in_run`` (which is updated), as ``links`` rows."""
    out = FeedLinks()
    for entry in entries:
        try:
            canon = canonical_url(entry.link)
            if not canon.startswith(("http://", "https://")):
                raise ValueError("not an http(s) URL")
        except ValueError as exc:
            out.invalid.append((entry.link[:2000], str(exc)))
            continue
        sighting = {
            "url": entry.link,
            "canonical_url": canon,
            "feed": spec.name,
            "site": spec.site,
            "entry_title": entry.title,
            "entry_published": entry.published,
            "entry_updated": entry.updated,
            "entry_id": entry.id,
        }
        out.entries.append(sighting)
        if canon in seen_in_run:
            out.repeats += 1
            continue
        seen_in_run.add(canon)
        out.links.append(
            {
                **sighting,
                "entry_fp": entry_fingerprint(entry.link, entry.title, entry.published, entry.id),
                "entry_summary": entry.summary,
                "entry_content": entry.content,
            }
        )
    return out


def join_links(links: Iterable[dict[str, Any]], feed_order: Sequence[str]) -> tuple[list[dict[str, Any]], int]:
    """The links of several shards as one hour's: each canonical URL once, kept by the feed that comes
    first in the registry (as one process fetching every feed in order keeps it), and how many
    repeats were dropped."""
    rank = {name: i for i, name in enumerate(feed_order)}
    kept: dict[str, dict[str, Any]] = {}
    ordered = sorted(links, key=lambda row: rank.get(row["feed"], len(rank)))  # stable within a feed
    for row in ordered:
        kept.setdefault(row["canonical_url"], row)
    return list(kept.values()), len(ordered) - len(kept)
