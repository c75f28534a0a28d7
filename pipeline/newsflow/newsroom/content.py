"""The newsroom's articles: loaded from JSON, dated against the newsroom clock."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SITES = {
    "daily-herald": "The Daily Herald",
    "metro-wire": "Metro Wire",
    "globe-post": "The Globe Post",
}


def seed_dir() -> Path:
    """Where the seed article lives: ``NEWSFLOW_SEED_DIR`` or ``../shared/seed`` beside the repo."""
    env = os.environ.get("NEWSFLOW_SEED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "seed"


@dataclass(frozen=True)
class Article:
    slug: str
    site: str
    section: str
    title: str
    dek: str
    author: str
    published_minutes_ago: int
    updated_minutes_ago: int | None
    language: str
    kind: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = ()
    syndication_group: str | None = None
    subheadings: dict = field(default_factory=dict, hash=False, compare=False)
    pullquote: str | None = None
    comments: tuple[dict, ...] = field(default=(), hash=False, compare=False)
    fixed_published: datetime | None = None  # archive pieces (the seed) keep their real date

    @property
    def path(self) -> str:
        return f"/{self.site}/{self.section}/{self.slug}"

    def published(self, clock: datetime) -> datetime:
        return self.fixed_published or clock - timedelta(minutes=self.published_minutes_ago)

    def updated(self, clock: datetime) -> datetime | None:
        if self.fixed_published or self.updated_minutes_ago is None:
            return None
        return clock - timedelta(minutes=self.updated_minutes_ago)


def _from_json(doc: dict) -> Article:
    return Article(
        slug=doc["slug"],
        site=doc["site"],
        section=doc.get("section") or "news",
        title=doc["title"],
        dek=doc.get("dek") or "",
        author=doc.get("author") or "",
        published_minutes_ago=int(doc["published_minutes_ago"]),
        updated_minutes_ago=doc.get("updated_minutes_ago"),
        language=doc.get("language") or "en",
        kind=doc.get("kind") or "standard",
        paragraphs=tuple(doc.get("paragraphs") or ()),
        tags=tuple(doc.get("tags") or ()),
        syndication_group=doc.get("syndication_group"),
        subheadings={int(k): v for k, v in (doc.get("subheadings") or {}).items()},
        pullquote=doc.get("pullquote"),
        comments=tuple(doc.get("comments") or ()),
    )


def _seed_articles() -> list[Article]:
    """The seed article as an archive piece on the Globe Post, with its "Update hourly" line kept."""
    found = []
    folder = seed_dir()
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if len(lines) < 3:
            continue
        title, date_line, paragraphs = lines[0], lines[1], lines[2:]
        try:
            published = datetime.strptime(date_line, "%B %d, %Y").replace(hour=12, tzinfo=UTC)
        except ValueError:
            continue
        found.append(
            Article(
                slug=f"archive-{path.stem.replace('_', '-')}",
                site="globe-post",
                section="world",
                title=title,
                dek="",
                author="Globe Post staff",
                published_minutes_ago=0,
                updated_minutes_ago=None,
                language="en",
                kind="seed",
                paragraphs=tuple(paragraphs),
                tags=("north-korea",),
                fixed_published=published,
            )
        )
    return found


@lru_cache(maxsize=1)
def load_articles() -> tuple[Article, ...]:
    """All articles, in a stable order (site, then newest first, then slug)."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((CONTENT_DIR / "articles").glob("*.json"))]
    articles = [_from_json(d) for d in docs] + _seed_articles()
    return tuple(sorted(articles, key=lambda a: (a.site, a.published_minutes_ago, a.slug)))


def by_path() -> dict[str, Article]:
    return {a.path: a for a in load_articles()}


def for_site(site: str) -> list[Article]:
    return [a for a in load_articles() if a.site == site]
