"""Property-based fuzzing of the stages that meet untrusted input first: no exception escapes.

URL canonicalisation (through the links step of the feeds stage), feed parsing (random bytes and
mutations of real feeds from the feedparser corpus) and extraction (generated hostile HTML, through
the per-page extractor and the extract stage). Each property states what the stage promises on any
input, not only that it does not raise.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.dedup.canonical import canonical_url
from newsflow.extract import extract_html
from newsflow.extract.stage import articles_from_pages
from newsflow.runs import StageRecorder
from newsflow.sources.links import links_from_entries
from newsflow.sources.parse import Entry, ParsedFeed, parse_feed
from newsflow.sources.registry import FeedSpec
from tests.conftest import SHARED

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)
SPEC = FeedSpec(name="fuzz", url="https://example.com/feed.xml", site="example.com")
CORPUS = sorted((SHARED / "corpora" / "feedparser-tests").rglob("*.xml"))[::40]

url_parts = st.sampled_from(
    ["http://", "https://", "HTTP://", "ftp://", "javascript:", "//", "mailto:", "", "http://[::1", "https://xn--"]
)
hosts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
paths = st.text(max_size=60)
queries = st.lists(
    st.tuples(st.sampled_from(["utm_source", "fbclid", "id", "a b", "%", "amp", ""]), st.text(max_size=8))
)
urls = st.builds(
    lambda scheme, host, path, query: f"{scheme}{host}/{path}?" + "&".join(f"{k}={v}" for k, v in query),
    url_parts,
    hosts,
    paths,
    queries,
) | st.text(max_size=200)


@settings(max_examples=300, deadline=None)
@given(st.lists(urls, max_size=8))
def test_links_step_never_raises_and_keeps_only_http_links(links):
    entries = [Entry(link=link, title="t") for link in links]
    found = links_from_entries(SPEC, entries, set())
    assert len(found.links) + len(found.invalid) + found.repeats == len(entries)
    assert len(found.entries) == len(found.links) + found.repeats  # every valid entry is a sighting
    for row in found.links:
        assert row["canonical_url"].startswith(("http://", "https://"))
        assert canonical_url(row["canonical_url"]) == row["canonical_url"]  # canonical means a fixed point


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from([None, "application/rss+xml", "text/html; charset=utf-16"]))
def test_any_bytes_parse_to_entries_or_a_recorded_error(data, content_type):
    parsed = parse_feed(data, "https://example.com/feed", content_type)
    assert isinstance(parsed, ParsedFeed)
    assert parsed.entries or parsed.error_class or parsed.format is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(CORPUS) - 1), st.randoms(use_true_random=False))
def test_mutated_real_feeds_parse_to_entries_or_a_recorded_error(index, rnd: random.Random):
    data = bytearray(CORPUS[index].read_bytes())
    for _ in range(rnd.randint(1, 12)):  # flip, cut, duplicate and splice bytes
        op = rnd.choice(["flip", "cut", "dup", "nul"])
        at = rnd.randrange(len(data)) if data else 0
        if op == "flip" and data:
            data[at] ^= 1 << rnd.randrange(8)
        elif op == "cut":
            del data[at : at + rnd.randint(1, 64)]
        elif op == "dup":
            data[at:at] = data[at : at + rnd.randint(1, 256)] * rnd.randint(1, 8)
        else:
            data[at:at] = b"\x00<!ENTITY x '&x;&x;'>&x;"
    parsed = parse_feed(bytes(data), "https://example.com/feed")
    assert parsed.entries or parsed.error_class or parsed.format is not None
    for entry in parsed.entries:
        assert isinstance(entry.link, str)


tags = st.sampled_from(["p", "div", "article", "script", "style", "h1", "h2", "span", "table", "td", "noscript", "svg"])
fragments = st.recursive(
    st.text(max_size=80) | st.sampled_from(["&amp;", "&#0;", "&#xD800;", "<!--", "]]>", "<![CDATA[", "\u202e", "\x00"]),
    lambda inner: st.builds(lambda t, body: f"<{t}>{''.join(body)}</{t}>", tags, st.lists(inner, max_size=4)),
    max_leaves=25,
)
pages = st.builds(
    lambda head, body, charset: (
        f'<html><head><meta charset="{charset}"><title>{head}</title></head><body>{body}</body>'
    ),
    st.text(max_size=60),
    st.lists(fragments, max_size=6).map("".join),
    st.sampled_from(["utf-8", "iso-8859-1", "utf-16", "bogus", ""]),
).map(lambda s: s.encode("utf-8", "surrogatepass")) | st.binary(max_size=3000)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages)
def test_extraction_of_hostile_html_never_raises_and_keeps_its_promises(page):
    ex = extract_html(page, "https://example.com/story")
    assert ex.word_count == (len(ex.body.split()) if ex.body else 0) or ex.word_count >= 0
    if ex.language is not None:
        assert ex.body  # a language is only ever detected in text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pages, min_size=1, max_size=6))
def test_extract_stage_turns_every_fetched_page_into_an_article_or_a_quarantined_row(batch):
    raw = {f"sha256:{i:064x}": page for i, page in enumerate(batch)}
    rows = [
        {
            "url": f"https://example.com/{i}",
            "final_url": None,
            "feed": "fuzz",
            "site": "example.com",
            "entry_title": None,
            "entry_published": None,
            "raw_ref": ref,
            "fetched_at": HOUR,
        }
        for i, ref in enumerate(raw)
    ]
    out = articles_from_pages(rows, raw.__getitem__, "run", StageRecorder("run", HOUR, "extract"))
    assert len(out.articles) + len(out.quarantine) == len(batch)
