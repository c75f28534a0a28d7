import pytest

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import content_hash


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/b?utm_source=rss&utm_medium=feed#top", "http://example.com/a/b"),
        ("https://example.com:443/story?id=7&fbclid=xyz&gclid=1", "https://example.com/story?id=7"),
        ("https://example.com/x?b=2&a=1", "https://example.com/x?a=1&b=2"),
        ("https://example.com//news///index.html", "https://example.com/news/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8080/Path/Case", "https://example.com:8080/Path/Case"),
        ("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent():
    url = "https://Example.com/a?utm_campaign=x&z=1&a=2#frag"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_content_hash_ignores_case_space_and_punctuation():
    assert content_hash("Hello,  World!\n\nAgain.") == content_hash("hello world again")
    assert content_hash("hello world") != content_hash("hello there world")
