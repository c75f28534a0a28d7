"""Fetching: the Fetcher protocol, the polite HTTP client, robots.txt, fetch state, the address guard, replay."""

from newsflow.fetch.client import HttpFetcher
from newsflow.fetch.guard import AddressGuard, BlockedAddress, ResolveError
from newsflow.fetch.protocol import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchRequest, FetchResult
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
    "ResolveError",
]
