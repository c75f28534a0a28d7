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
