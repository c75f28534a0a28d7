"""Splitting an hour's fetching into shards by host, so parallel tasks never share a host.

Politeness is per host (``client.host_key``: one request at a time, a delay between them,
robots.txt), and each fetcher paces only the hosts it sees: two tasks fetching from one host would
each keep their own pace and together break it. So a shard is a set of *hosts*, never a slice of a host's URLs.
Hosts are dealt to shards greedily, heaviest first (by how many feeds or links each has), ties by
name: the same input always gives the same shards, in every task that computes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from newsflow.fetch.client import host_key

T = TypeVar("T")


def assign_hosts(weights: Mapping[str, int], shards: int) -> dict[str, int]:
    """Each host's shard, ``0..shards-1``: heaviest hosts first, each to the least loaded shard."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    load = [0] * shards
    assignment: dict[str, int] = {}
    for host in sorted(weights, key=lambda h: (-weights[h], h)):
        target = min(range(shards), key=lambda k: (load[k], k))
        assignment[host] = target
        load[target] += max(1, weights[host])
    return assignment


def shard_of(items: Sequence[T], url: Callable[[T], str], shards: int, shard: int) -> list[T]:
    """The items (in their order) whose URL's host falls in ``shard`` of ``shards``."""
    hosts = [host_key(url(item)) for item in items]
    assignment = assign_hosts(Counter(hosts), shards)
    return [item for item, host in zip(items, hosts, strict=True) if assignment[host] == shard]


def shard_count(urls: Iterable[str], limit: int) -> int:
    """How many shards are worth running: one per host at most, ``limit`` at most, at least one."""
    return max(1, min(limit, len({host_key(u) for u in urls})))
