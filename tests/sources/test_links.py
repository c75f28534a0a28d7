"""From feed entries to an hour's links, and the links of several shards joined as one hour's."""

from newsflow.sources.links import join_links


def test_links_of_several_shards_join_as_one_process_would_keep_them():
    def link(url: str, feed: str) -> dict:
        return {"url": url, "canonical_url": url, "feed": feed}

    shard_0 = [link("https://a.test/1", "late"), link("https://a.test/2", "late")]
    shard_1 = [link("https://a.test/1", "early"), link("https://b.test/3", "early")]
    joined, repeats = join_links([*shard_0, *shard_1], ["early", "late"])
    assert [(r["url"], r["feed"]) for r in joined] == [
        ("https://a.test/1", "early"),
        ("https://b.test/3", "early"),
        ("https://a.test/2", "late"),
    ]
    assert repeats == 1
