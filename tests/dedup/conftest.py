"""Shared material for the dedup tests: article rows, a wire story, its syndicated copy, the newsroom."""

from datetime import UTC, datetime
from functools import lru_cache

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import content_hash, stable_id

H09 = datetime(2026, 11, 25, 9, tzinfo=UTC)
H10 = datetime(2026, 11, 25, 10, tzinfo=UTC)
H11 = datetime(2026, 11, 25, 11, tzinfo=UTC)
H12 = datetime(2026, 11, 25, 12, tzinfo=UTC)
BASE = "http://127.0.0.1:8765"


def row(url: str, body: str | None, published: datetime | None = H10, title: str = "t") -> dict:
    canonical = canonical_url(url)
    return {
        "article_id": stable_id(canonical),
        "canonical_url": canonical,
        "url": url,
        "title": title,
        "body": body,
        "published": published,
        "content_hash": content_hash(body) if body else None,
    }


def commit(history, hour: datetime, rows: list[dict], decisions) -> None:
    history.commit_hour(hour, [{**r, **d.columns()} for r, d in zip(rows, decisions, strict=True) if d.keeps_row])


@lru_cache(maxsize=1)
def newsroom_articles() -> dict[str, dict]:
    """Every newsroom article as the pipeline sees it: the rendered page through the real extractor."""
    from newsflow.extract import extract_html
    from newsflow.newsroom.content import load_articles
    from newsflow.newsroom.pages import render_page

    found = {}
    for article in load_articles():
        url = BASE + article.path
        extracted = extract_html(render_page(article, H10, BASE), url)
        if extracted.body:
            found[article.slug] = {**row(url, extracted.body, extracted.published, extracted.title or "")}
            found[article.slug]["syndication_group"] = article.syndication_group
    return found


STORY = (
    "Dockworkers at 29 container terminals along the West Coast walked off the job early Tuesday, halting cargo "
    "at the ports of Los Angeles, Long Beach, Oakland, Seattle and Tacoma after contract talks collapsed.\n\n"
    "The Pacific Longshore Alliance, which represents about 22,000 workers, said the strike would continue until "
    "the employers came back to the table. The terminal operators called the walkout reckless and said they had "
    "offered raises worth 32% over six years.\n\n"
    "The affected ports handle roughly 40 percent of U.S. containerized imports, including most of the "
    "electronics, furniture and clothing shipped from China, Vietnam, South Korea and Japan.\n\n"
    "By Tuesday evening, 46 container ships were waiting at anchor off San Pedro Bay, up from six on Monday, "
    "according to the Marine Exchange of Southern California.\n\n"
    "Federal mediators are scheduled to meet both sides in San Francisco on Thursday, and retail groups urged the "
    "White House to intervene before the strike drags into next week."
)
OTHER_STORY_SAME_TOPIC = (
    "Shipping lines began diverting container vessels to Vancouver and Prince Rupert on Wednesday as the strike at "
    "West Coast ports entered its second day, and freight forwarders warned customers of delays of two weeks.\n\n"
    "Maersk said it had rerouted nine ships bound for Los Angeles and Long Beach, while Hapag-Lloyd told customers "
    "it would add a congestion surcharge of $1,000 per container on cargo already at sea.\n\n"
    "Rail operators in Canada said they could absorb only part of the extra volume. Canadian National said its "
    "intermodal terminals were already running at about 85 percent of capacity before the strike began.\n\n"
    "Importers of holiday goods were the most exposed, analysts said, with toys and electronics due to be unloaded "
    "in the next three weeks, and some retailers were considering air freight for their best-selling products."
)


def syndicated_copy(body: str) -> str:
    """Another site's copy: its own boilerplate, house style, the last paragraph trimmed."""
    paragraphs = body.split("\n\n")[:-1]
    paragraphs[0] = "LOS ANGELES (Metro Wire) — " + paragraphs[0]
    paragraphs.insert(2, "Advertisement")
    paragraphs.append("Sign up for our morning briefing. Share this story on Facebook and X.")
    text = "\n\n".join(paragraphs)
    return text.replace("40 percent", "40 per cent").replace("22,000", "22 000").replace("U.S.", "US")
