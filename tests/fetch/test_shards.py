"""Shards of an hour's fetching: whole hosts only, balanced, the same in every task that computes them."""

from newsflow.fetch.client import host_key
from newsflow.fetch.shards import assign_hosts, shard_count, shard_of


def test_hosts_are_never_split_and_shards_partition_the_items():
    urls = [f"https://site{i % 7}.test/feed{i}.xml" for i in range(40)] + ["https://user@SITE0.test/x", "not a url"]
    parts = [shard_of(urls, str, 3, k) for k in range(3)]
    assert sorted(u for part in parts for u in part) == sorted(urls)  # each item in exactly one shard
    hosts = [{host_key(u) for u in part} for part in parts]
    assert all(hosts[a].isdisjoint(hosts[b]) for a in range(3) for b in range(a + 1, 3))
    assert all(part for part in parts)  # 8 hosts over 3 shards: none left empty
    assert shard_of(urls, str, 3, 1) == parts[1]  # deterministic: another task computes the same


def test_heaviest_hosts_are_dealt_first_to_the_least_loaded_shard():
    weights = {"big.test": 10, "mid.test": 6, "a.test": 2, "b.test": 2, "c.test": 1}
    assignment = assign_hosts(weights, 2)
    loads = [sum(w for h, w in weights.items() if assignment[h] == k) for k in range(2)]
    assert assignment["big.test"] != assignment["mid.test"] and sorted(loads) == [10, 11]


def test_as_many_shards_as_hosts_at_most():
    urls = ["http://127.0.0.1:8765/a", "http://127.0.0.1:8765/b", "http://127.0.0.2:8765/c"]
    assert shard_count(urls, 4) == 2 and shard_count(urls, 1) == 1 and shard_count([], 4) == 1
    assert host_key("HTTP://Example.TEST:8080/x") == "example.test:8080"
    # Shards count hosts as politeness does: a default port written out is the same host.
    assert shard_count(["http://a.test/x", "http://a.test:80/y"], 4) == 1
