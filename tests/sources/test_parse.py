"""Feed parsing: every newsroom format, bad documents as clean errors, and the feedparser corpus."""

import time
from pathlib import Path

import httpx
import pytest

from newsflow.newsroom.feeds import FEEDS
from newsflow.sources.parse import parse_datetime, parse_feed

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "feedparser-tests"
EXPECTED_FORMATS = {
    "/daily-herald/rss.xml": "rss20",
    "/daily-herald/index.rdf": "rss10",
    "/metro-wire/atom.xml": "atom10",
    "/metro-wire/full.rss": "rss20",
    "/globe-post/feed.json": "json11",
    "/globe-post/news-sitemap.xml": "sitemap",
}


@pytest.mark.parametrize("path", sorted(FEEDS))
def test_newsroom_feed_formats(newsroom, path):
    body = httpx.get(newsroom.base_url + path).content
    parsed = parse_feed(body, newsroom.base_url + path)
    assert parsed.error_class is None
    assert parsed.format == EXPECTED_FORMATS[path]
    assert len(parsed.entries) >= 6
    for entry in parsed.entries:
        assert entry.link.startswith(newsroom.base_url)
        assert entry.published is not None and entry.published.tzinfo is not None
        assert entry.title


def test_content_encoded_is_kept(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/metro-wire/full.rss").content)
    assert len(parsed.entries) >= 6
    assert all(e.content and "<p>" in e.content for e in parsed.entries)


def test_rdf_feed_carries_a_tracking_link(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/daily-herald/index.rdf").content)
    assert any("utm_source=" in e.link for e in parsed.entries)


@pytest.mark.parametrize(
    ("path", "error_class"),
    [
        ("/hostile/malformed.xml", {"malformed_feed", "not_a_feed"}),
        ("/hostile/html-as-feed.xml", {"not_a_feed"}),
        ("/hostile/empty.xml", {"empty_document"}),
    ],
)
def test_bad_documents_are_errors_not_crashes(newsroom, path, error_class):
    parsed = parse_feed(httpx.get(newsroom.base_url + path).content)
    assert parsed.error_class in error_class
    assert parsed.error


def test_cp1252_declared_utf8_still_yields_entries(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/hostile/cp1252-as-utf8.xml").content)
    assert len(parsed.entries) == 1


def test_json_that_is_not_a_feed():
    assert parse_feed(b'{"hello": 1}').error_class == "not_a_feed"
    assert parse_feed(b"{not json").error_class == "malformed_feed"


def test_sitemap_index_lists_children():
    doc = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.com/s1.xml</loc></sitemap></sitemapindex>"
    )
    parsed = parse_feed(doc)
    assert parsed.format == "sitemapindex" and parsed.children == ["https://example.com/s1.xml"]


def test_sitemap_entities_are_not_expanded():
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.com/&x;</loc></url></urlset>'
    )
    parsed = parse_feed(doc)
    # Either the document is refused with a reason, or its entry is kept without the file's contents.
    assert parsed.error_class or parsed.entries
    assert all("root:" not in e.link for e in parsed.entries)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00+00:00"),
        ("Tue, 25 Nov 2026 10:00:00 GMT", "2026-11-25T10:00:00+00:00"),
        ("November 19, 2019, 07:47 PM EST", "2019-11-20T00:47:00+00:00"),
        ("2026-11-25", "2026-11-25T00:00:00+00:00"),
    ],
)
def test_parse_datetime(text, iso):
    assert parse_datetime(text).isoformat() == iso


def test_parse_datetime_garbage():
    assert parse_datetime("not a date") is None and parse_datetime(None) is None


def test_feedparser_corpus_never_crashes():
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")
    assert len(files) >= 2100, f"feedparser corpus not found or incomplete at {CORPUS}"
    outcomes = {}
    wellformed_errors = []
    for path in files:
        parsed = parse_feed(path.read_bytes(), "http://example.com/feed")
        outcomes[parsed.error_class] = outcomes.get(parsed.error_class, 0) + 1
        if parsed.error_class and "wellformed" in path.parts:
            wellformed_errors.append(path.relative_to(CORPUS).as_posix())
    assert sum(outcomes.values()) == len(files) == 2107
    assert outcomes.get("parse_error", 0) == 0, outcomes  # the catch-all must never be needed
    # Every well-formed RSS/Atom/JSON file parses; only the obsolete CDF format is refused.
    assert all(p.startswith("wellformed/cdf/") for p in wellformed_errors), wellformed_errors


def test_billion_laughs_is_not_expanded(newsroom):
    import time

    body = httpx.get(newsroom.base_url + "/hostile/billion-laughs.xml").content
    started = time.monotonic()
    parsed = parse_feed(body)
    assert time.monotonic() - started < 10
    assert parsed.error_class or parsed.entries
    assert all(len(e.title or "") < 1000 for e in parsed.entries)


def test_external_entities_are_not_resolved(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/hostile/xxe.xml").content)
    assert parsed.error_class or parsed.entries
    assert all("root:" not in (e.title or "") for e in parsed.entries)


@pytest.mark.parametrize("placeholder", ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "0001-01-01"])
def test_placeholder_dates_are_not_dates(placeholder):
    assert parse_datetime(placeholder) is None


# ------------------------------------------------------------------ hostile and odd documents

LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">\n' for i in range(1, 10))


def _rss(items: str, head: str = "", channel: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{head}<rss version="2.0"><channel><title>t</title>{channel}'
        f"{items}</channel></rss>"
    ).encode()


def _item(i: int) -> str:
    return (
        f"<item><title>story {i}</title><link>https://e.example/{i}</link>"
        f"<pubDate>Tue, 24 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate><description>{'word ' * 40}</description></item>"
    )


@pytest.mark.parametrize(
    "doc",
    [
        # billion laughs, one declaration per line (feedparser's own DOCTYPE filter keeps these)
        f'<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY l0 "lol">\n{LAUGHS}]>\n<rss version="2.0"><channel>'
        "<title>&l9;</title><item><title>t</title><link>https://e.example/</link></item></channel></rss>",
        # quadratic blowup: one 100 KB entity referenced 20,000 times (2 GB expanded)
        f'<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY a "{"A" * 100_000}">\n]>\n<rss version="2.0"><channel>'
        f"<title>{'&a;' * 20_000}</title><item><title>t</title><link>https://e.example/</link></item></channel></rss>",
        f'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "{"A" * 100_000}">]><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{"&a;" * 2000}</title><entry><title>t</title><link href="https://e.example/x"/></entry></feed>',
        # the same blowup in a document that is also ill-formed (so feedparser's loose parser gets it)
        f'<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY a "{"A" * 100_000}">\n]>\n<rss version="2.0"><channel>'
        f"<title>{'&a;' * 20_000}</title><item><title>t<b></title><link>https://e.example/</link></item></rss>",
        # external DTD, external and parameter entities
        '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd"><rss version="2.0"><channel>'
        "<title>x</title><item><title>t</title><link>https://e.example/</link></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><rss version="2.0">'
        "<channel><title>x</title><item><title>t</title><link>https://e.example/</link></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed '
        'xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title><link href="https://e.example/"/></entry></feed>',
    ],
)
def test_entity_attacks_are_defused_quickly(doc):
    started = time.monotonic()
    parsed = parse_feed(doc.encode(), "https://e.example/feed")
    assert time.monotonic() - started < 5
    for entry in parsed.entries:
        assert len(entry.title or "") < 1000 and "root:" not in (entry.title or "")
    assert parsed.error_class in (None, "malformed_feed", "not_a_feed")


def test_internal_entities_that_are_harmless_still_work():
    doc = _rss(
        "<item><title>a&nbsp;b &co;</title><link>https://e.example/1</link></item>",
        head='<!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY co "Company">]>\n',
    )
    parsed = parse_feed(doc)
    assert parsed.error_class is None and parsed.entries[0].title == "a\u00a0b Company"


def test_a_huge_feed_is_capped_fast_with_one_warning(caplog):
    doc = _rss("".join(_item(i) for i in range(10_000)))
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="newsflow.sources"):
        parsed = parse_feed(doc, "https://e.example/feed", max_items=500)
    assert time.monotonic() - started < 8
    assert len(parsed.entries) == 500 and parsed.total_entries == 10_000 and parsed.truncated == 9_500
    assert parsed.entries[0].link == "https://e.example/0"
    assert len([r for r in caplog.records if "10000 entries" in r.getMessage()]) == 1


def test_a_document_of_tens_of_megabytes_does_not_hang():
    doc = _rss("".join(_item(i) for i in range(70_000)))
    assert len(doc) > 20_000_000
    started = time.monotonic()
    parsed = parse_feed(doc, max_items=1000)
    assert time.monotonic() - started < 20 and len(parsed.entries) == 1000


def test_an_ill_formed_huge_feed_is_cut_before_parsing():
    doc = _rss("".join(_item(i) for i in range(10_000)) + "<item><title>broken<b></item>")
    started = time.monotonic()
    parsed = parse_feed(doc, max_items=300)
    assert time.monotonic() - started < 8 and len(parsed.entries) == 300


def test_items_cap_applies_to_json_feed_and_sitemaps():
    items = ",".join(f'{{"id": "{i}", "url": "https://e.example/{i}"}}' for i in range(50))
    jf = parse_feed(f'{{"version": "https://jsonfeed.org/version/1.1", "items": [{items}]}}'.encode(), max_items=10)
    urls = "".join(f"<url><loc>https://e.example/{i}</loc></url>" for i in range(50))
    sm = parse_feed(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(), max_items=10
    )
    assert (len(jf.entries), jf.total_entries) == (10, 50) and (len(sm.entries), sm.total_entries) == (10, 50)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_encodings_and_boms(encoding):
    declared = encoding.replace("-sig", "").replace("-le", "").replace("-be", "")
    rss = f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>x</title>'
    rss += "<item><title>Café Grüße</title><link>https://e.example/1</link></item></channel></rss>"
    data = rss.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = ("\ufeff" + rss).encode(encoding)
    parsed = parse_feed(data)
    assert parsed.error_class is None and parsed.entries[0].title == "Café Grüße"
    jf = '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "https://e.example/1", '
    jf += '"title": "Café"}]}'
    parsed = parse_feed(jf.encode(encoding))
    assert parsed.error_class is None and parsed.entries[0].title == "Café"


def test_control_characters_are_removed():
    doc = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x\x01</title><item><title>t\x00i\x1btle\x7f</title>'
    doc += b"<link>https://e.example/a\x0b</link></item></channel></rss>"
    parsed = parse_feed(doc)
    assert [(e.title, e.link) for e in parsed.entries] == [("title", "https://e.example/a")]


def test_xml_base_and_relative_links():
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/news/">'
        b'<title>x</title><entry xml:base="sub/"><title>a</title><link href="a.html"/></entry>'
        b'<entry><title>b</title><link href="/b.html"/></entry></feed>'
    )
    assert [e.link for e in parse_feed(atom, "https://feed.example/f.xml").entries] == [
        "https://base.example/news/sub/a.html",
        "https://base.example/b.html",
    ]
    rss = _rss("<item><title>r</title><link>rel/path.html</link></item>")
    assert (
        parse_feed(rss, "https://feed.example/dir/feed.xml").entries[0].link == "https://feed.example/dir/rel/path.html"
    )
    jf = b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "url": "/p/1"}]}'
    assert parse_feed(jf, "https://j.example/feed.json").entries[0].link == "https://j.example/p/1"
    sm = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a</loc></url></urlset>'
    assert parse_feed(sm, "https://s.example/sitemap.xml").entries[0].link == "https://s.example/a"


def test_entries_without_link_or_date():
    doc = _rss(
        '<item><title>guid only</title><guid isPermaLink="true">https://e.example/g</guid></item>'
        "<item><title>nothing to fetch</title><description>no link at all</description></item>"
        "<item><title>undated</title><link>https://e.example/u</link></item>"
        "<item><title>guid not a URL</title><guid>abc-123</guid></item>"
    )
    parsed = parse_feed(doc)
    assert [(e.link, e.published) for e in parsed.entries] == [
        ("https://e.example/g", None),
        ("https://e.example/u", None),
    ]
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>id only</title>'
        b"<id>https://e.example/by-id</id></entry>"
        b"<entry><title>tag id</title><id>tag:e.example,2026:1</id></entry></feed>"
    )
    assert [e.link for e in parse_feed(atom).entries] == ["https://e.example/by-id"]


def test_one_unresolvable_link_does_not_lose_the_feed():
    doc = _rss("<item><title>a</title><link>http://[::1</link></item><item><title>b</title><link>/ok</link></item>")
    parsed = parse_feed(doc, "https://e.example/feed.xml")
    assert parsed.error_class is None and [e.link for e in parsed.entries][-1] == "https://e.example/ok"


def test_gzipped_sitemaps_and_gzip_bombs():
    import gzip
    import zlib

    sm = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.example/a</loc></url></urlset>'
    assert parse_feed(gzip.compress(sm)).entries[0].link == "https://e.example/a"
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    bomb = b"".join(comp.compress(bytes(1 << 20)) for _ in range(100)) + comp.flush()
    started = time.monotonic()
    assert parse_feed(bomb).error_class == "too_large" and time.monotonic() - started < 5
    assert parse_feed(b"\x1f\x8b\x08\x00corrupt").error_class in ("malformed_feed", "not_a_feed")


def test_each_format_says_when_an_entry_last_changed_and_rss_without_one_does_not_invent_it():
    atom = parse_feed(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="http://a.test/1"/>'
        b"<published>2026-11-23T10:00:00Z</published><updated>2026-11-24T08:30:00Z</updated></entry></feed>",
        "http://a.test/",
    )
    rss = parse_feed(
        b'<rss version="2.0"><channel><item><link>http://a.test/2</link>'
        b"<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>",
        "http://a.test/",
    )
    json_feed = parse_feed(
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "3", "url": "http://a.test/3",'
        b' "date_published": "2026-11-23T10:00:00Z", "date_modified": "2026-11-24T09:00:00+01:00"}]}',
        "http://a.test/",
    )
    sitemap = parse_feed(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.test/4</loc>'
        b"<lastmod>2026-11-24T07:00:00Z</lastmod></url></urlset>",
        "http://a.test/",
    )
    assert atom.entries[0].updated is not None and atom.entries[0].updated.isoformat() == "2026-11-24T08:30:00+00:00"
    assert rss.entries[0].updated is None and rss.entries[0].published is not None
    assert json_feed.entries[0].updated is not None and json_feed.entries[0].updated.hour == 8
    assert sitemap.entries[0].updated is not None and sitemap.entries[0].updated.hour == 7
