"""Which story each article of an hour belongs to: the decision the dedup stage and the CLI share.

``assign_stories(rows, history, hour)`` is pure: given one hour's article rows (in arrival order)
and a ``History`` of earlier hours, it returns one ``Decision`` per row, in the same order. Rules,
checked in this order for each article:

1. **url_duplicate** / **update**: its canonical URL was seen before (an earlier hour, or earlier
   in this hour). With the same body (or no body now) it is the same article again: the stage
   drops the row and keeps only its feed sightings. With a changed body, in a later hour, it is a
   new ``version`` of that article: same ``article_id`` and ``story_id``, and the relation to its
   story carried over (``duplicate_of`` and ``similarity`` as the previous version had them).
2. **exact**: an earlier article has the same normalised body: ``duplicate_of`` that first one,
   ``similarity`` 1.0.
3. **near**: MinHash LSH over word shingles proposes earlier articles (from all of history, and
   earlier in this hour); each is verified by the overlap coefficient of shingle sets
   (``minhash.overlap``), which stays high for a copy trimmed to its first half, re-paragraphed,
   re-spelled or carrying leftover page furniture, and low for another story on the same topic.
   The most similar candidate at or above ``settings.threshold`` (ties: the earliest) is the one
   it copies: ``duplicate_of`` it, its ``story_id``, and the similarity.
4. **original**: otherwise; its ``story_id`` is its own ``article_id``.

Within an hour, articles are decided in ``processing_order`` (earliest ``published``, then URL),
never in arrival order, and ``history`` only answers with hours strictly before ``hour``: so a
rerun, a replay or a backfill of an hour assigns the same ids every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from newsflow.dedup.features import Prepared, Row, prepare
from newsflow.dedup.keys import hour_number, id_text
from newsflow.dedup.minhash import overlaps
from newsflow.dedup.segments import Candidates
from newsflow.dedup.settings import DEFAULTS, DedupSettings
from newsflow.dedup.store import History

KINDS = ("original", "url_duplicate", "exact", "near", "update")


@dataclass(frozen=True)
class Decision:
    article_id: str
    story_id: str
    duplicate_of: str | None
    similarity: float | None
    version: int
    kind: str  # one of KINDS

    @property
    def keeps_row(self) -> bool:
        """False for a URL seen again unchanged: not a new row of ``articles`` (only a sighting)."""
        return self.kind != "url_duplicate"

    def columns(self) -> dict[str, Any]:
        """The ``articles`` columns this decision sets."""
        return {
            "article_id": self.article_id,
            "story_id": self.story_id,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "version": self.version,
        }


@dataclass(frozen=True)
class _Match:
    rank: tuple[int, int]  # (hour, order): earlier is smaller
    article_id: str
    story_id: str
    similarity: float


def _round(value: float) -> float:
    return round(float(value), 4)


def _best(matches: list[_Match]) -> _Match | None:
    if not matches:
        return None
    return min(matches, key=lambda m: (-m.similarity, m.rank, m.article_id))


def _verified(
    candidates: Candidates, query_rows: np.ndarray, prepared: Prepared, settings: DedupSettings
) -> dict[int, list[_Match]]:
    """History candidates that pass verification, per row of the batch (verified per row, vectorised)."""
    found: dict[int, list[_Match]] = {}
    keep = np.flatnonzero(candidates.size >= settings.min_shingles)
    by_query = keep[np.argsort(candidates.query[keep], kind="stable")]
    queries = candidates.query[by_query]
    bounds = np.flatnonzero(np.diff(queries)) + 1
    for group in np.split(by_query, bounds) if len(by_query) else []:
        row = int(query_rows[candidates.query[group[0]]])
        similarity = overlaps(
            candidates.sketch[group], candidates.used[group], candidates.tau[group], prepared.shingles[row]
        )
        for c, value in zip(group.tolist(), similarity.tolist(), strict=True):
            if value >= settings.threshold:
                found.setdefault(row, []).append(
                    _Match(
                        (int(candidates.hour[c]), int(candidates.order[c])),
                        id_text(int(candidates.article[c]), candidates.names),
                        id_text(int(candidates.story[c]), candidates.names),
                        _round(value),
                    )
                )
    return found


def _most_shared(
    keys: np.ndarray, band_rows: dict[tuple[int, int], list[int]], position: dict[int, int], limit: int
) -> list[int]:
    """Earlier rows of this hour sharing a band with ``keys``: at most ``limit``, most shared bands first."""
    hits: dict[int, int] = {}
    for b, k in enumerate(keys.tolist()):
        for j in band_rows.get((b, k), ()):
            hits[j] = hits.get(j, 0) + 1
    best = sorted(hits, key=lambda j: (-hits[j], position[j]))[:limit]
    return sorted(best)


def assign_stories(
    rows: Sequence[Row],
    history: History,
    hour: datetime | int,
    settings: DedupSettings = DEFAULTS,
    prepared: Prepared | None = None,
) -> list[Decision]:
    """One decision per row (same order as ``rows``) against ``history`` of hours before ``hour``.

    ``prepared``: ``prepare(rows, settings)`` when the caller wants to reuse it for the commit
    (see ``committed``).
    """
    before = hour if isinstance(hour, int) else hour_number(hour)
    prepared = prepare(rows, settings, prepared)
    url_seen = history.latest_by_url(prepared.url_keys, before)
    content_seen = history.first_by_content(prepared.content_keys, before)
    sizes = prepared.signatures.size
    searchable = np.flatnonzero(sizes >= settings.min_shingles)
    candidates = history.near_candidates(
        prepared.signatures.band_keys[searchable], before, settings.bucket_cap, settings.max_candidates
    )
    near_seen = _verified(candidates, searchable, prepared, settings)

    decisions: list[Decision | None] = [None] * len(rows)
    first_url: dict[int, int] = {}  # url key -> row decided first this hour
    first_content: dict[int, int] = {}
    band_rows: dict[tuple[int, int], list[int]] = {}
    position: dict[int, int] = {}
    for rank, i in enumerate(prepared.order):
        position[i] = rank
        row = rows[i]
        article_id = str(row["article_id"])
        url_key, content_key = int(prepared.url_keys[i]), int(prepared.content_keys[i])
        decision: Decision | None = None

        # 1. The same canonical URL: seen this hour, or in an earlier hour.
        if url_key in first_url:
            first = decisions[first_url[url_key]]
            assert first is not None
            same = content_key == int(prepared.content_keys[first_url[url_key]]) or content_key == 0
            decision = Decision(
                first.article_id,
                first.story_id,
                first.article_id,
                1.0 if same else None,
                first.version,
                "url_duplicate",
            )
        elif url_key in url_seen:
            seen = url_seen[url_key]
            if content_key == 0 or content_key == seen.content:
                decision = Decision(seen.article_id, seen.story_id, seen.article_id, 1.0, seen.version, "url_duplicate")
            else:
                decision = Decision(
                    seen.article_id, seen.story_id, seen.duplicate_of, seen.similarity, seen.version + 1, "update"
                )

        # 2. The same body.
        if decision is None and content_key:
            earlier = content_seen.get(content_key)
            if earlier is not None:
                decision = Decision(article_id, earlier.story_id, earlier.article_id, 1.0, 1, "exact")
            elif content_key in first_content:
                first = decisions[first_content[content_key]]
                assert first is not None
                decision = Decision(article_id, first.story_id, first.article_id, 1.0, 1, "exact")

        # 3. A near copy of an earlier article (history, or earlier this hour).
        if decision is None and sizes[i] >= settings.min_shingles:
            matches = list(near_seen.get(i, []))
            keys = prepared.signatures.band_keys[i]
            sharing = _most_shared(keys, band_rows, position, settings.max_candidates)
            if sharing:
                sig = prepared.signatures
                similarity = overlaps(sig.sketch[sharing], sig.used[sharing], sig.tau[sharing], prepared.shingles[i])
                for j, value in zip(sharing, similarity.tolist(), strict=True):
                    other = decisions[j]
                    if value >= settings.threshold and other is not None:
                        matches.append(_Match((before, position[j]), other.article_id, other.story_id, _round(value)))
            best = _best(matches)
            if best is not None:
                decision = Decision(article_id, best.story_id, best.article_id, best.similarity, 1, "near")

        if decision is None:
            decision = Decision(article_id, article_id, None, None, 1, "original")
        decisions[i] = decision

        first_url.setdefault(url_key, i)
        if content_key and decision.kind != "url_duplicate":
            first_content.setdefault(content_key, i)
        if decision.kind != "url_duplicate" and sizes[i] >= settings.min_shingles:
            for b, k in enumerate(prepared.signatures.band_keys[i].tolist()):
                band_rows.setdefault((b, k), []).append(i)
    return [d for d in decisions if d is not None]


def committed(
    rows: Sequence[Row], decisions: Sequence[Decision], prepared: Prepared | None = None
) -> tuple[list[dict[str, Any]], Prepared | None]:
    """The rows an hour contributes to the history (decisions applied, URL repeats left out).

    With the ``prepared`` data the decisions were made from, also its share for those rows, so
    ``commit_hour(hour, rows, prepared)`` does not compute shingles and summaries again.
    """
    keep = [i for i, d in enumerate(decisions) if d.keeps_row]
    kept = [{**rows[i], **decisions[i].columns()} for i in keep]
    return kept, (prepared.subset(keep) if prepared is not None else None)
