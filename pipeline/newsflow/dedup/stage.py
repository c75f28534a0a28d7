"""The logic of the dedup stage: an hour's valid articles against all committed history.

Runs after validation, so an original is always a row that is published. Two rules, two lookups:

- an article belongs to the hour that first committed it: a row whose canonical URL another
  committed hour holds is not published again (``History.elsewhere``, any other hour, so a backfill
  of an earlier hour does not double it);
- every other row gets its story from :func:`newsflow.dedup.stories.assign_stories` against the
  near-duplicate index of *earlier* hours: an exact or near copy keeps its row with ``duplicate_of``
  and the similarity, and the first seen (earliest published, then URL) is the story's original, so
  reruns and backfills assign the same ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.store import History as StoryHistory
from newsflow.dedup.stories import assign_stories
from newsflow.runs import StageRecorder

Row = dict[str, Any]


class History(Protocol):
    """Which canonical URLs other committed hours hold (see ``HistoryIndex``)."""

    def elsewhere(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str, str]]: ...


def deduplicate(
    rows: Sequence[Row],
    history: History,
    stories: StoryHistory,
    hour: datetime,
    rec: StageRecorder,
    settings: DedupSettings | None = None,
) -> list[Row]:
    """The hour's rows to publish, each with ``story_id``, ``duplicate_of``, ``similarity`` and ``version``."""
    elsewhere = history.elsewhere("url", [r["canonical_url"] for r in rows], hour)
    fresh = [dict(r) for r in rows if r["canonical_url"] not in elsewhere]
    if len(fresh) < len(rows):
        rec.count("url_duplicates", len(rows) - len(fresh))  # a redirect led to an article another hour has
    decisions = assign_stories(fresh, stories, hour, settings or DedupSettings.from_env())
    kinds = Counter(d.kind for d in decisions)
    for kind, n in sorted(kinds.items()):
        rec.count(f"kind.{kind}", n)
    rec.count("originals", kinds.get("original", 0))
    rec.count("content_duplicates", sum(n for k, n in kinds.items() if k in ("exact", "near")))
    if kinds.get("url_duplicate"):
        rec.count("url_duplicates", kinds["url_duplicate"])
    return [{**row, **d.columns()} for row, d in zip(fresh, decisions, strict=True) if d.keeps_row]


def history_entries(articles: Sequence[Row], quarantined: Sequence[Row]) -> dict[str, list[tuple[str, str, str]]]:
    """What an hour adds to the URL history: every URL it decided about (published or quarantined),
    as ``(canonical_url, article_id, story_id)``. Contents live in the near-duplicate index."""
    urls = [(r["canonical_url"], r["article_id"], r["story_id"]) for r in articles]
    urls += [(r["canonical_url"], r["article_id"], r["article_id"]) for r in quarantined if r.get("canonical_url")]
    return {"url": urls}
