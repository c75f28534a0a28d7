import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.dedup.canonical import canonical_url, is_same_site, prefer_rel_canonical, registered_site
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


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host case, default ports (a non-default port stays)
        ("HTTPS://NEWS.Example.ORG/World", "https://news.example.org/World"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        # tracking parameters, each family
        ("https://e.com/a?utm_campaign=x&utm_content=y&utm_term=z", "https://e.com/a"),
        ("https://e.com/a?fbclid=1", "https://e.com/a"),
        ("https://e.com/a?gclid=1&dclid=2&msclkid=3", "https://e.com/a"),
        ("https://e.com/a?mc_cid=1&mc_eid=2", "https://e.com/a"),
        ("https://e.com/a?ref=twitter&ref_src=twsrc", "https://e.com/a"),
        ("https://e.com/a?CMP=share_btn&ICID=nav&_ga=2.1", "https://e.com/a"),
        ("https://e.com/a?ns_mchannel=rss&ns_source=x&at_medium=feed", "https://e.com/a"),
        ("https://e.com/a?smid=tw-share&partner=rss&emc=rss", "https://e.com/a"),
        ("https://e.com/a?UTM_Source=rss&p=12", "https://e.com/a?p=12"),
        # parameters that pick the article stay, even when a broad tracker pattern would match them
        ("https://e.com/read?game=5&gallery=2&source_id=9", "https://e.com/read?gallery=2&game=5&source_id=9"),
        # fragments
        ("https://e.com/a#comments", "https://e.com/a"),
        ("https://e.com/a?x=1#section-2", "https://e.com/a?x=1"),
        # sorted query, blank values kept, repeated keys sorted by value
        ("https://e.com/a?z=1&a=2&m=", "https://e.com/a?a=2&m=&z=1"),
        ("https://e.com/a?t=b&t=a", "https://e.com/a?t=a&t=b"),
        # AMP variants
        ("https://e.com/news/story/amp/", "https://e.com/news/story/"),
        ("https://e.com/news/story/amp", "https://e.com/news/story/"),
        ("https://e.com/amp/news/story", "https://e.com/news/story"),
        ("https://e.com/news/story?amp=1", "https://e.com/news/story"),
        ("https://e.com/news/story?amp", "https://e.com/news/story"),
        ("https://e.com/news/story?outputType=amp&id=3", "https://e.com/news/story?id=3"),
        ("https://amp.e.com/news/story", "https://e.com/news/story"),
        ("https://www.bbc.co.uk/news/world-123.amp", "https://bbc.co.uk/news/world-123"),
        ("https://e.com/story.amp.html", "https://e.com/story.html"),
        ("https://e-com.cdn.ampproject.org/c/s/e.com/news/story?utm_source=x", "https://e.com/news/story"),
        ("https://e-com.cdn.ampproject.org/c/e.com/news/story", "http://e.com/news/story"),
        ("https://www.google.com/amp/s/www.e.com/news/story/amp/", "https://e.com/news/story/"),
        # mobile and www hosts fold into the registered site, never past it
        ("https://m.e.com/news/story", "https://e.com/news/story"),
        ("https://mobile.e.co.uk/news/story", "https://e.co.uk/news/story"),
        ("https://www.e.com/news/story", "https://e.com/news/story"),
        ("https://news.e.com/story", "https://news.e.com/story"),
        ("https://m.co.uk/x", "https://m.co.uk/x"),
        ("http://127.0.0.1:8765/globe-post/trade/x", "http://127.0.0.1:8765/globe-post/trade/x"),
        # escapes, dot segments, credentials, trailing dot, IDNA, IPv6
        ("https://e.com/caf%c3%a9", "https://e.com/caf%C3%A9"),
        ("https://e.com/café", "https://e.com/caf%C3%A9"),
        ("https://e.com/%7Euser/a%2fb", "https://e.com/~user/a%2Fb"),
        ("https://e.com/a/./b/../c", "https://e.com/a/c"),
        ("http://user:secret@e.com./a", "http://e.com/a"),
        ("https://münchen.de/x", "https://xn--mnchen-3ya.de/x"),
        ("https://xn--mnchen-3ya.de/x", "https://xn--mnchen-3ya.de/x"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("  https://e.com/a\n/b  ", "https://e.com/a/b"),
        ("https://e.com/blog/index.php", "https://e.com/blog/"),
    ],
)
def test_canonical_url_rules(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a", "mailto:a@example.com", "not a url", "http://", "https://e.com:99999/", "", "//e.com/a"],
)
def test_canonical_url_rejects_what_is_not_an_http_url(url):
    with pytest.raises(ValueError):
        canonical_url(url)


def test_amp_mobile_and_tracking_variants_name_one_article():
    variants = [
        "https://www.example.com/2026/11/port-strike/",
        "https://example.com/2026/11/port-strike/?utm_source=rss&utm_medium=feed",
        "https://m.example.com/2026/11/port-strike/",
        "https://amp.example.com/2026/11/port-strike/",
        "https://www.example.com/2026/11/port-strike/amp/",
        "https://www.example.com/2026/11/port-strike/?amp=1#comments",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/2026/11/port-strike/amp/",
        "HTTPS://WWW.EXAMPLE.COM:443/2026/11/port-strike/?fbclid=abc",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


def test_canonical_url_is_idempotent():
    url = "https://Example.com/a?utm_campaign=x&z=1&a=2#frag"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


_segment = st.text(alphabet="abcAB09-_.~%é ", min_size=0, max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    host=st.sampled_from(["example.com", "WWW.Example.com", "m.news.example.co.uk", "amp.example.org", "127.0.0.1"]),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    segments=st.lists(_segment, max_size=4),
    query=st.lists(st.tuples(st.sampled_from(["a", "utm_source", "id", "amp", "ref", "Q"]), _segment), max_size=4),
    fragment=_segment,
)
def test_canonical_url_is_idempotent_for_generated_urls(host, port, segments, query, fragment):
    url = f"https://{host}{port}/" + "/".join(segments) + "?" + "&".join(f"{k}={v}" for k, v in query) + "#" + fragment
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert once.startswith("https://") and "#" not in once and "utm_source" not in once


def test_registered_site_and_same_site():
    assert registered_site("news.bbc.co.uk") == "bbc.co.uk"
    assert registered_site("WWW.Example.COM.") == "example.com"
    assert registered_site("127.0.0.1") == "127.0.0.1"
    assert registered_site("localhost") == "localhost"
    assert registered_site("m.news.example") == "news.example"  # a suffix the public list does not know
    assert is_same_site("https://news.example.co.uk/a", "https://www.example.co.uk/b")
    assert not is_same_site("https://example.com/a", "https://example.org/a")


@pytest.mark.parametrize(
    ("page", "rel", "expected"),
    [
        # same registered site: the page's own canonical wins (and is itself canonicalised)
        (
            "https://m.example.com/a?utm_source=x",
            "https://www.example.com/news/a-story",
            "https://example.com/news/a-story",
        ),
        (
            "https://news.example.co.uk/a",
            "https://www.example.co.uk/story/1?utm_medium=x",
            "https://example.co.uk/story/1",
        ),
        # relative canonicals resolve against the page
        ("https://example.com/news/a?page=2", "/news/a", "https://example.com/news/a"),
        ("https://example.com/news/a/b", "../c", "https://example.com/news/c"),
        # another site (syndication partner, aggregator): keep ours
        ("https://example.com/a", "https://other.com/a", "https://example.com/a"),
        # the home page standing in for every article: keep ours
        ("https://example.com/news/a", "https://example.com/", "https://example.com/news/a"),
        # unusable or missing: keep ours
        ("https://example.com/a", "javascript:void(0)", "https://example.com/a"),
        ("https://example.com/a", "", "https://example.com/a"),
        ("https://example.com/a", None, "https://example.com/a"),
    ],
)
def test_prefer_rel_canonical(page, rel, expected):
    assert prefer_rel_canonical(page, rel) == expected


def test_prefer_rel_canonical_needs_a_valid_page_url():
    with pytest.raises(ValueError):
        prefer_rel_canonical("ftp://example.com/a", "https://example.com/a")


def test_content_hash_ignores_case_space_and_punctuation():
    assert content_hash("Hello,  World!\n\nAgain.") == content_hash("hello world again")
    assert content_hash("hello world") != content_hash("hello there world")
