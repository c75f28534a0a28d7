"""Replay an hour's downloads from the raw zone instead of the network.

Every fetch is recorded in the ``fetches`` dataset with the sha256 ref of its body in ``raw/``, so
reprocessing or backfilling an hour that was already fetched re-derives it exactly, offline,
with the same bytes, statuses and fetch times. ``ReplayFetcher`` has the :class:`Fetcher`
interface, so the stages do not know which one they use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from newsflow.fetch.client import FetchResult
from newsflow.fetch.records import result_from_row
from newsflow.raw import RawStore


class ReplayFetcher:
    def __init__(self, recorded: Iterable[Mapping], raw: RawStore) -> None:
        self.raw = raw
        self.by_url: dict[str, Mapping] = {}
        for row in recorded:
            self.by_url.setdefault(row["url"], row)

    def __enter__(self) -> ReplayFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def fetch(self, url: str, accept: str = "*/*") -> FetchResult:
        row = self.by_url.get(url)
        if row is None:
            return FetchResult(
                url=url,
                error_class="not_recorded",
                error=f"{url} was not fetched in the recorded hour; rerun without --replay to fetch it",
            )
        body = b""
        if row.get("raw_ref"):
            try:
                body = self.raw.get(row["raw_ref"])
            except (FileNotFoundError, ValueError) as exc:
                return FetchResult(url=url, error_class="raw_missing", error=str(exc))
        return result_from_row(row, body)

    def fetch_many(
        self, urls: list[str], accept: str = "*/*", progress: Callable[[FetchResult], None] | None = None
    ) -> list[FetchResult]:
        results = []
        for url in urls:
            result = self.fetch(url, accept)
            if progress:
                progress(result)
            results.append(result)
        return results
