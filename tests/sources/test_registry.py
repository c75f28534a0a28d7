import pytest

from newsflow.sources.registry import RegistryError, load_registry, parse_registry


def test_valid_registry(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "fetch: {allow_networks: [127.0.0.0/8]}\nfeeds:\n"
        "  - {name: a, url: 'https://a.example/rss', site: a}\n"
        "  - {name: b, url: 'https://b.example/atom', site: b, kind: atom, enabled: false, tags: [x]}\n"
    )
    reg = load_registry(path)
    assert [f.name for f in reg.enabled] == ["a"]
    assert reg.allow_networks == ("127.0.0.0/8",)
    assert reg.feeds[1].tags == ("x",)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({}, "'feeds:' list"),
        ({"feeds": [{"name": "a", "site": "s"}]}, "missing url"),
        ({"feeds": [{"name": "a", "url": "ftp://x", "site": "s"}]}, "http://"),
        ({"feeds": [{"name": "a", "url": "http://x", "site": "s", "kind": "csv"}]}, "kind 'csv'"),
        ({"feeds": [{"name": "a", "url": "http://x", "site": "s"}] * 2}, "duplicate feed name"),
        ({"feeds": [{"name": "a", "url": "http://x", "site": "s", "colour": 1}]}, "unknown key"),
    ],
)
def test_invalid_registries_name_the_problem(doc, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry(doc)


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(RegistryError, match="--feeds"):
        load_registry(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("value", "enabled"), [(False, False), ("false", False), ("no", False), ("true", True), (1, True)]
)
def test_enabled_is_a_strict_boolean(value, enabled):
    reg = parse_registry({"feeds": [{"name": "a", "url": "https://a.example/rss", "enabled": value}]})
    assert reg.feeds[0].enabled is enabled


@pytest.mark.parametrize("value", ["maybe", "", 2, [True]])
def test_junk_enabled_is_a_clear_error(value):
    with pytest.raises(RegistryError, match=r"feeds\[0\] \(a\): enabled must be true or false"):
        parse_registry({"feeds": [{"name": "a", "url": "https://a.example/rss", "enabled": value}]})


@pytest.mark.parametrize("value", [5, {"x": 1}, [["nested"]], True])
def test_bad_tags_are_a_clear_error(value):
    with pytest.raises(RegistryError, match="tags must be a list"):
        parse_registry({"feeds": [{"name": "a", "url": "https://a.example/rss", "tags": value}]})


def test_a_single_tag_string_is_one_tag():
    reg = parse_registry({"feeds": [{"name": "a", "url": "https://a.example/rss", "tags": "local"}]})
    assert reg.feeds[0].tags == ("local",)


def test_site_defaults_to_the_feed_host():
    reg = parse_registry({"feeds": [{"name": "a", "url": "https://www.Herald.example:8443/rss"}]})
    assert reg.feeds[0].site == "herald.example"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"feeds": [{"name": "a", "url": 5}]}, "url must be a string"),
        ({"feeds": [{"name": "a", "url": "https:///nohost"}]}, "with a host"),
        ({"feeds": [], "fetch": {"allow_networks": "10.0.0.0/8"}}, "must be a list"),
        ({"feeds": [], "fetch": {"allow_networks": ["not-a-net"]}}, "is not a network"),
    ],
)
def test_more_invalid_values(doc, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry(doc)


def test_append_keeps_comments_and_layout(tmp_path):
    from newsflow.sources.registry import FeedSpec, append_feeds

    path = tmp_path / "feeds.yaml"
    original = (
        "# our feeds\nfetch:\n  allow_networks: [127.0.0.0/8]  # newsroom\nfeeds:\n"
        "  # local news\n  - {name: a, url: 'https://a.example/rss', site: a}\n"
        "  - name: b\n    url: https://b.example/atom\n    site: b\n\n# trailing comment\n"
    )
    path.write_text(original)
    added = append_feeds(
        path,
        [
            FeedSpec("c", "https://c.example/feed", "c", kind="atom", tags=("x",)),
            FeedSpec("a", "https://d.example/rss", "d"),  # name taken: becomes a-2
            FeedSpec("dup", "https://a.example/rss", "a"),  # URL already registered: skipped
        ],
    )
    assert [s.name for s in added] == ["c", "a-2"]
    text = path.read_text()
    assert text.startswith(original.split("\n\n")[0]) and "# trailing comment" in text and "# newsroom" in text
    reg = load_registry(path)
    assert [f.name for f in reg.feeds] == ["a", "b", "c", "a-2"] and reg.feeds[2].tags == ("x",)
    assert reg.feeds[2].kind == "atom" and reg.allow_networks == ("127.0.0.0/8",)
    assert append_feeds(path, [FeedSpec("c", "https://c.example/feed", "c")]) == []


def test_append_creates_or_rewrites_when_it_must(tmp_path):
    from newsflow.sources.registry import FeedSpec, append_feeds

    fresh = tmp_path / "new.yaml"
    append_feeds(fresh, [FeedSpec("a", "https://a.example/rss", "a")])
    assert [f.name for f in load_registry(fresh).feeds] == ["a"]
    flow = tmp_path / "flow.yaml"
    flow.write_text("feeds: [{name: a, url: 'https://a.example/rss'}]\n")
    append_feeds(flow, [FeedSpec("b", "https://b.example/rss", "b")])
    assert [f.name for f in load_registry(flow).feeds] == ["a", "b"]


def test_a_feed_sets_its_own_stale_threshold_and_the_stale_check_uses_it():
    from newsflow.health.feeds import stale_after

    reg = parse_registry(
        {
            "feeds": [
                {"name": "weekly", "url": "https://a.example/rss", "stale_after_hours": 168},
                {"name": "busy", "url": "https://b.example/rss"},
            ]
        }
    )
    weekly, busy = reg.feeds
    assert weekly.stale_after_hours == 168 and stale_after(weekly) == 168
    assert busy.stale_after_hours is None and stale_after(busy, 6) == 6


@pytest.mark.parametrize("value", [0, -3, "12h", 2.5, True])
def test_a_bad_stale_threshold_is_a_clear_error(value):
    with pytest.raises(RegistryError, match=r"\(a\): stale_after_hours must be a whole number of hours"):
        parse_registry({"feeds": [{"name": "a", "url": "https://a.example/rss", "stale_after_hours": value}]})
