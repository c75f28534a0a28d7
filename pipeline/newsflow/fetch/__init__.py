"""Fetching the web politely: the Fetcher protocol and its two implementations, and the fetch state.

- :mod:`~newsflow.fetch.protocol`: ``FetchRequest``, ``FetchResult``, the ``Fetcher`` protocol.
- :mod:`~newsflow.fetch.client`: ``HttpFetcher`` (robots.txt, per-host pacing, retries, limits).
- :mod:`~newsflow.fetch.replay`: ``ReplayFetcher`` (an hour's recorded downloads, exactly).
- :mod:`~newsflow.fetch.records`: ``fetch_row`` / ``result_from_row``, the ``fetches`` row both ways.
- :mod:`~newsflow.fetch.planning`: pure planning (feeds due, conditional headers, pages to skip, health).
- :mod:`~newsflow.fetch.state`: ``FetchState``, the per-URL state in SQLite, by logical hour.
- :mod:`~newsflow.fetch.robots`, :mod:`~newsflow.fetch.scheduler`, :mod:`~newsflow.fetch.transport`,
  :mod:`~newsflow.fetch.guard`, :mod:`~newsflow.fetch.decode`, :mod:`~newsflow.fetch.charset`: the parts.
- :mod:`~newsflow.fetch.settings`: ``FetchSettings`` and their environment variables.
"""

from newsflow.fetch.client import HttpFetcher
from newsflow.fetch.guard import AddressGuard, BlockedAddress, ResolveError
from newsflow.fetch.protocol import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchRequest, FetchResult
from newsflow.fetch.replay import ReplayFetcher
from newsflow.fetch.settings import FetchSettings

__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "AddressGuard",
    "BlockedAddress",
    "FetchRequest",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "HttpFetcher",
    "ReplayFetcher",
    "ResolveError",
]
