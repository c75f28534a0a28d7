"""The logic of the dedup stage: an hour's valid articles against all committed history.

Runs after validation, so an original is always a row that is published. Two rules, two lookups:

- an article belongs to the hour that first committed it: a row whose canonical URL a *later*
  committed hour holds as its first version is not published here (``belongs_elsewhere``), so a
  backfill of an earlier hour does not double it;
- every other row gets its story from :func:`newsflow.dedup.stories.assign_stories` against the
  near-duplicate index of *earlier* hours: a URL published before comes back unchanged (the row is
  dropped: only its sightings count) or changed (a new ``version`` of that article, same
  ``article_id`` and ``story_id``); an exact or near copy keeps its row with ``duplicate_of`` and
  the similarity; the first seen (earliest published, then URL) is the story's original, so reruns
  and backfills assign the same ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.index import Holder, belongs_elsewhere
from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.store import History as StoryHistory
from newsflow.dedup.stories import assign_stories
from newsflow.runs import StageRecorder

Row = dict[str, Any]


class History(Protocol):
    """Which committed hours hold a canonical URL (see ``HistoryIndex.holders``)."""

    def holders(self, keys: Iterable[str], hour: datetime) -> dict[str, Holder]: ...


@dataclass
class Deduplicated:
    rows: list[Row] = field(default_factory=list)  # to publish, with the dedup columns set
    # Every decided row's link (its canonical form) -> the article it turned out to be, dropped
    # repeats included: what the hour's sightings point at.
    resolved: dict[str, str] = field(default_factory=dict)


def link_key(url: str) -> str | None:
    """The canonical form of a feed link, as ``links`` and ``sightings`` key it (None if invalid)."""
    try:
        return canonical_url(url)
    except ValueError:
        return None


def deduplicate(
    rows: Sequence[Row],
    history: History,
    stories: StoryHistory,
    hour: datetime,
    rec: StageRecorder,
    settings: DedupSettings | None = None,
) -> Deduplicated:
    """The hour's rows to publish, each with ``story_id``, ``duplicate_of``, ``similarity`` and ``version``."""
    holders = history.holders([r["canonical_url"] for r in rows], hour)
    out = Deduplicated()
    fresh = []
    for row in rows:
        holder = holders.get(row["canonical_url"])
        if belongs_elsewhere(holder):
            assert holder is not None
            _resolve(out, row, holder.article_id)
        else:
            fresh.append(dict(row))
    if len(fresh) < len(rows):
        rec.count("url_duplicates", len(rows) - len(fresh))  # a later hour holds the article
    decisions = assign_stories(fresh, stories, hour, settings or DedupSettings.from_env())
    kinds = Counter(d.kind for d in decisions)
    for kind, n in sorted(kinds.items()):
        rec.count(f"kind.{kind}", n)
    rec.count("originals", kinds.get("original", 0))
    rec.count("content_duplicates", sum(n for k, n in kinds.items() if k in ("exact", "near")))
    if kinds.get("update"):
        rec.count("updates", kinds["update"])
    for row, decision in zip(fresh, decisions, strict=True):
        _resolve(out, row, decision.article_id)
        if decision.keeps_row:
            out.rows.append({**row, **decision.columns()})
        elif _held_earlier(holders.get(row["canonical_url"])):
            rec.count("unchanged")  # downloaded again (its feed entry changed), the same body
        else:
            rec.count("url_duplicates")  # another link of this hour led to the same article
    return out


def _held_earlier(holder: Holder | None) -> bool:
    return holder is not None and holder.earlier


def _resolve(out: Deduplicated, row: Mapping[str, Any], article_id: str) -> None:
    for url in (row.get("url"), row.get("canonical_url")):
        key = link_key(str(url)) if url else None
        if key:
            out.resolved.setdefault(key, article_id)


def history_entries(articles: Sequence[Row], quarantined: Sequence[Row]) -> dict[str, list[tuple[str, str, str, int]]]:
    """What an hour adds to the URL history: every URL it decided about (published or quarantined),
    as ``(canonical_url, article_id, story_id, version)``. Contents live in the near-duplicate index."""
    urls = [(r["canonical_url"], r["article_id"], r["story_id"], int(r.get("version") or 1)) for r in articles]
    urls += [(r["canonical_url"], r["article_id"], r["article_id"], 1) for r in quarantined if r.get("canonical_url")]
    return {"url": urls}
