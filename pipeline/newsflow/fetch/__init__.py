"""Fetching: the HTTP client, its address guard and the per-host politeness limits."""

from newsflow.fetch.client import Fetcher, FetchResult
from newsflow.fetch.guard import AddressGuard, BlockedAddress

__all__ = ["AddressGuard", "BlockedAddress", "FetchResult", "Fetcher"]
