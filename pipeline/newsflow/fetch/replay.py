"""Replay an hour's downloads from its ``fetches`` rows and the raw zone instead of the network.

Every fetch is recorded in the ``fetches`` dataset with the sha256 ref of its body in ``raw/``, so
reprocessing or backfilling an hour that was already fetched re-derives it exactly, offline, with
the same bytes, statuses, headers and fetch times; a 304 replays as a 304, a robots.txt refusal
as that refusal. :class:`ReplayFetcher` implements the :class:`~newsflow.fetch.protocol.Fetcher`
protocol, so the stages do not know which fetcher they use.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from newsflow.fetch.protocol import FetchRequest, FetchResult, ProgressCallback
from newsflow.fetch.records import result_from_row
from newsflow.raw import RawStore


class ReplayFetcher:
    def __init__(self, recorded: Iterable[Mapping[str, Any]], raw: RawStore) -> None:
        self.raw = raw
        # A URL fetched twice in the hour (say as a feed and as a sitemap child) replays in order.
        self._by_key: dict[tuple[str, str], deque[Mapping[str, Any]]] = defaultdict(deque)
        self._by_url: dict[str, deque[Mapping[str, Any]]] = defaultdict(deque)
        self._robots: list[Mapping[str, Any]] = []
        self._order: list[Mapping[str, Any]] = []
        for row in recorded:
            self._order.append(row)
            if row.get("kind") == "robots":
                self._robots.append(row)
                continue
            self._by_key[(row.get("kind") or "page", row["url"])].append(row)
            self._by_url[row["url"]].append(row)

    def __enter__(self) -> ReplayFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _next_row(self, request: FetchRequest) -> Mapping[str, Any] | None:
        rows = self._by_key.get((request.kind, request.url)) or self._by_url.get(request.url)
        if not rows:
            return None
        return rows.popleft() if len(rows) > 1 else rows[0]  # the last row answers any further asks

    def fetch(self, request: FetchRequest | str) -> FetchResult:
        req = request if isinstance(request, FetchRequest) else FetchRequest(request)
        row = self._next_row(req)
        if row is None:
            return FetchResult(
                url=req.url,
                kind=req.kind,
                feed=req.feed,
                error_class="not_recorded",
                error=f"{req.url} was not fetched in the recorded hour; rerun without --replay to fetch it",
            )
        result = result_from_row(row, self.raw)
        result.kind, result.feed = req.kind, req.feed if req.feed is not None else result.feed
        if result.raw_ref and result.raw_ref not in self.raw:
            result.error_class = "raw_missing"
            result.error = f"raw object {result.raw_ref} for {req.url} is missing under {self.raw.root}"
        return result

    def fetch_many(
        self, requests: Sequence[FetchRequest], progress: ProgressCallback | None = None
    ) -> list[FetchResult]:
        results = []
        for request in requests:
            result = self.fetch(request)
            if progress:
                progress(result)
            results.append(result)
        return results

    def requests(self, kind: str) -> list[FetchRequest]:
        """The hour's recorded requests of ``kind``, in recorded order.

        A replay should ask for exactly these rather than re-plan from the fetch state: the state
        may have moved on since (a backfill, a compaction), the recording has not.
        """
        return [
            FetchRequest(row["url"], kind=kind, feed=row.get("feed"))
            for row in self._order
            if (row.get("kind") or "page") == kind
        ]

    def take_robots_fetches(self) -> list[FetchResult]:
        """The hour's recorded robots.txt downloads (once), so a replayed hour records them again."""
        taken, self._robots = self._robots, []
        return [result_from_row(row, self.raw) for row in taken]
