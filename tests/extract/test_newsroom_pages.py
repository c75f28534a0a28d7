"""Every newsroom page over loopback HTTP: titles, authors, structure, pull quotes, hints."""

import httpx
import pytest

from newsflow.extract import FeedHints, extract_html
from newsflow.newsroom.content import load_articles
from tests.conftest import HOUR

PAGES = [a for a in load_articles() if a.kind not in ("gone", "slow")]


@pytest.fixture(scope="module")
def extracted(newsroom):
    with httpx.Client() as client:
        return {
            a.path: extract_html(client.get(newsroom.base_url + a.path).content, newsroom.base_url + a.path, now=HOUR)
            for a in PAGES
        }


def test_titles_are_the_story_title_without_the_site_name(extracted):
    assert len(extracted) >= 40
    for article in PAGES:
        ex = extracted[article.path]
        assert ex.title == article.title, article.slug
        assert ex.title_source in ("jsonld", "og"), article.slug


def test_every_visible_paragraph_is_its_own_block(extracted):
    checked = 0
    for article in PAGES:
        if article.kind in ("video", "seed"):
            continue
        visible = article.paragraphs[:2] if article.kind == "paywalled" else article.paragraphs
        blocks = extracted[article.path].body.split("\n\n")
        for paragraph in visible:
            assert paragraph in blocks, (article.slug, paragraph[:60])
            checked += 1
    assert checked > 200


def test_subheadings_are_marked_and_never_glued(extracted):
    marked = 0
    for article in PAGES:
        visible = len(article.paragraphs[:2] if article.kind == "paywalled" else article.paragraphs)
        blocks = extracted[article.path].body.split("\n\n")
        for index, heading in article.subheadings.items():
            if index >= visible:
                continue
            assert f"## {heading}" in blocks, (article.slug, heading)
            assert not any(b.startswith(heading) for b in blocks), (article.slug, heading)
            marked += 1
    assert marked >= 3


def test_pull_quotes_are_not_repeated_as_paragraphs(extracted):
    quoted = [a for a in PAGES if a.pullquote]
    assert len(quoted) >= 5
    for article in quoted:
        blocks = extracted[article.path].body.split("\n\n")
        assert article.pullquote not in blocks, article.slug
        assert not any(b.strip("“”\"' ") == article.pullquote.strip("“”\"' ") for b in blocks), article.slug


def test_authors_one_per_person(extracted):
    for article in PAGES:
        ex = extracted[article.path]
        if not article.author or article.kind == "video":
            continue
        expected = [n.strip() for n in article.author.replace(" and ", ",").split(",") if n.strip()]
        assert ex.authors == expected, article.slug
        assert not any(a.lower().startswith("by ") or "·" in a for a in ex.authors)


def test_dates_are_utc_and_never_after_the_clock(extracted):
    for article in PAGES:
        ex = extracted[article.path]
        assert ex.published is not None, article.slug
        assert ex.published.utcoffset().total_seconds() == 0
        assert ex.published <= HOUR
        assert ex.published == article.published(HOUR).replace(second=0, microsecond=0), article.slug


def test_languages_are_detected_with_confidence(extracted):
    for article in PAGES:
        ex = extracted[article.path]
        if article.kind == "video":
            assert ex.language is None and ex.body == ""
            continue
        assert ex.language == article.language, article.slug
        assert ex.language_source == "detected" and ex.language_confidence >= 0.9


def test_feed_title_wins_and_feed_date_fills_in(newsroom):
    article = next(a for a in PAGES if a.site == "daily-herald" and a.kind == "standard")
    html = httpx.get(newsroom.base_url + article.path).content
    hints = FeedHints(title=f"  {article.title}  ", published=HOUR)
    ex = extract_html(html, newsroom.base_url + article.path, hints=hints, now=HOUR)
    assert ex.title == article.title and ex.title_source == "feed"
    assert ex.published_source == "jsonld"  # the page's own date outranks the feed's
