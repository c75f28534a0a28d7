"""Bad input of any kind is a result, never an exception: tag soup, broken JSON-LD, odd encodings."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.extract import FeedHints, extract_html

FRAGMENTS = [
    "<p>",
    "</p>",
    "<div class='article-body'>",
    "</div>",
    "<h2>",
    "</h2>",
    "<br>",
    "<ul><li>",
    "</li></ul>",
    "<table><tr><td>",
    "<script type='application/ld+json'>",
    '{"@type":"NewsArticle","articleBody":',
    '"datePublished":"0000-00-00",',
    "</script>",
    "<script id='__NEXT_DATA__' type='application/json'>",
    '{"props":{"body":[{"type":"heading"',
    "<meta property='og:title' content='",
    "'>",
    "Loading…",
    "The council met on Tuesday and approved the plan.",
    "\x00",
    "\ufffd",
    "<!--",
    "-->",
    "<![CDATA[",
    "&amp;&#0;&#xD800;",
    "<time datetime='9999-99-99'>",
    "<html lang='??'>",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=40), max_size=40), st.booleans())
def test_any_tag_soup_gives_a_result(parts, as_bytes):
    page = "".join(parts)
    ex = extract_html(page.encode("utf-8", "surrogatepass") if as_bytes else page, "https://example.org/x")
    assert isinstance(ex.body, str)
    assert ex.published is None or ex.published.year >= 1990
    assert "Loading…" not in ex.body.split("\n\n")


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_result(data):
    ex = extract_html(data, None, hints=FeedHints(title="T"), now=datetime(2026, 1, 1, tzinfo=UTC))
    assert isinstance(ex.body, str) and isinstance(ex.warnings, list)


def test_other_encodings_are_decoded():
    text = "Der Bürgermeister äußerte sich über die Straßenbahn und die Größe des neuen Bahnhofs am Fluss."
    page = f"<html><head><meta charset='iso-8859-1'><title>Straße</title></head><body><article><p>{text}</p>"
    page += f"<p>{text} Zweiter Absatz.</p></article></body></html>"
    ex = extract_html(page.encode("iso-8859-1"))
    assert "Bürgermeister äußerte" in ex.body


def test_an_empty_page_still_gets_what_the_feed_said():
    content = "<p>" + "The harbour reopened on Monday after the storm. " * 12 + "</p>"
    hints = FeedHints(title="Harbour reopens", published=datetime(2026, 1, 1, tzinfo=UTC), content_html=content)
    ex = extract_html(b"", "https://example.org/a", hints=hints, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert ex.warnings[0] == "not_html"
    assert (ex.title, ex.title_source, ex.published_source, ex.body_source) == (
        "Harbour reopens",
        "feed",
        "feed",
        "feed_content",
    )
    assert ex.word_count == 96
