"""Paragraph-level decisions and the candidate chain, on small pages written for each rule."""

import pytest

from newsflow.extract import FeedHints, extract_html
from newsflow.extract.blocks import Block, render
from newsflow.extract.cleanup import CleanContext, clean_blocks

STORY = [
    "The harbour authority approved a four-year dredging plan on Monday, clearing the way for larger container ships.",
    "Work on the outer channel will start in March and run through the winter, when fewer ferries use the port.",
    "Fishermen's groups had asked for a pause during the spawning season, which the authority agreed to.",
    "The plan costs about 41 million euros, two thirds of it paid by the national infrastructure fund.",
]


def _page(body: str, head: str = "", title: str = "Harbour approves dredging plan") -> str:
    return (
        f"<html lang='en'><head><title>{title} | Port Weekly</title>{head}</head><body>"
        "<nav><a href='/'>Home</a><a href='/news'>News</a><a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1><div class='article-body'>{body}</div></article>"
        "<footer>© 2026 Port Weekly</footer></body></html>"
    )


def _paras(texts=STORY) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def test_story_paragraphs_survive_and_headline_is_not_repeated():
    ex = extract_html(_page(_paras()))
    assert ex.body.split("\n\n") == STORY
    assert ex.body_source == "trafilatura"


def test_subheading_in_bold_paragraph_becomes_a_heading_line():
    body = _paras(STORY[:2]) + "<p><strong>What comes next</strong></p>" + _paras(STORY[2:])
    blocks = extract_html(_page(body)).body.split("\n\n")
    assert blocks == [*STORY[:2], "## What comes next", *STORY[2:]]


def test_caption_byline_and_calls_to_action_are_not_body():
    body = (
        "<p>By Ruth Calloway</p>"
        + _paras(STORY[:2])
        + "<figure><img src='a.jpg'><figcaption>The outer channel at low tide. Photo: Port Weekly</figcaption></figure>"
        + "<p>Sign up for our free newsletter to get the port news in your inbox every Friday.</p>"
        + _paras(STORY[2:])
        + "<p>Follow us on Twitter @portweekly</p>"
    )
    ex = extract_html(_page(body))
    assert ex.body.split("\n\n") == STORY


def test_a_paragraph_that_mentions_a_newsletter_stays():
    story = [*STORY[:3], "The port's newsletter, printed since 1952, announced the plan to members a week early."]
    assert extract_html(_page(_paras(story))).body.split("\n\n") == story


def test_pull_quote_next_to_its_paragraph_is_dropped_but_a_long_key_points_list_is_kept():
    body = (
        "<ul><li>" + STORY[0] + "</li><li>" + STORY[3] + "</li></ul>"
        + _paras(STORY[:2])
        + "<blockquote><p>Work on the outer channel will start in March</p></blockquote>"
        + _paras(STORY[2:])
    )  # fmt: skip
    blocks = extract_html(_page(body)).body.split("\n\n")
    assert "Work on the outer channel will start in March" not in blocks
    assert blocks[1:] == STORY and blocks[0].startswith("- ")


def test_teaser_list_of_other_stories_is_dropped():
    teasers = "".join(
        f"<li><a href='/s{i}'><img src='t{i}.jpg'><h3>Other story {i} about the port</h3></a><p>Teaser {i}.</p></li>"
        for i in range(4)
    )
    ex = extract_html(_page(_paras() + f"<ul class='cards'>{teasers}</ul>"))
    assert "Other story" not in ex.body and ex.body.split("\n\n") == STORY


def test_placeholder_is_never_a_body_even_alone():
    ex = extract_html(_page("<div class='loading'>Loading…</div>"))
    assert ex.body == "" and ex.body_source is None


def test_jsonld_article_body_replaces_a_placeholder_shell():
    story = "\n\n".join(STORY)
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour approves dredging plan",'
        f'"articleBody":{__import__("json").dumps(story)}}}</script>'
    )
    ex = extract_html(_page("<div id='app'><p>Loading…</p></div>", head=head))
    assert ex.body == story and ex.body_source == "jsonld"


def test_feed_summary_is_the_last_resort_and_marked_truncated():
    ex = extract_html(
        "<html><body><div id='app'></div></body></html>",
        hints=FeedHints(summary="<p>The harbour authority approved a four-year dredging plan on Monday.</p>"),
    )
    assert ex.body == "The harbour authority approved a four-year dredging plan on Monday."
    assert ex.body_source == "feed_summary" and ex.is_truncated


def test_story_split_across_containers_of_the_same_kind_is_joined():
    first = "".join(f"<p>{t} First part {i}.</p>" for i, t in enumerate(STORY))
    second = "".join(f"<p>{t} Second part {i}.</p>" for i, t in enumerate(STORY))
    page = (
        "<html><head><title>Split story</title></head><body><main>"
        f"<div class='article__body grid'>{first}</div>"
        "<div class='ad-row'><span>Advertisement</span></div>"
        f"<div class='article__body grid'>{second}</div>"
        "</main></body></html>"
    )
    ex = extract_html(page)
    assert ex.body_source == "trafilatura+continuation"
    assert "Second part 3." in ex.body and ex.body.index("First part 3.") < ex.body.index("Second part 0.")


@pytest.mark.parametrize(
    ("blocks", "kept"),
    [
        (["Advertisement", *STORY, "Update hourly"], STORY),
        ([*STORY, "___", "Copyright 2026 The Associated Press. All rights reserved."], STORY),
        (["Updated 6:40 AM EST, November 25, 2026", *STORY], STORY),
        ([*STORY, "Related: Ferry timetable changes for the winter"], STORY),
        ([*STORY[:2], "More than 300 ships used the channel last year.", *STORY[2:]], None),
        (["By Tuesday the quay had been cleared", *STORY], None),
        ([*STORY, "About 300 people attended", "The next meeting is in March."], None),
        (["By Ruth Calloway · Port Weekly", *STORY], STORY),
        ([*STORY, "About Port Weekly", "Port Weekly is published every Friday since 1952."], STORY),
    ],
)
def test_rules_on_plain_blocks(blocks, kept):
    out = clean_blocks([Block("paragraph", t) for t in blocks], CleanContext(titles=["Harbour approves dredging plan"]))
    assert render(out).split("\n\n") == (kept if kept is not None else blocks)


def test_a_subheading_that_starts_like_a_teaser_heading_does_not_cut_the_story():
    blocks = [Block("paragraph", t) for t in STORY]
    blocks.insert(3, Block("heading", "More than 300 ships a year"))
    out = clean_blocks(
        [*blocks, Block("heading", "More from Port Weekly"), Block("paragraph", "Ferry fares rise.")], CleanContext()
    )
    assert render(out).split("\n\n") == [*STORY[:3], "## More than 300 ships a year", STORY[3]]
