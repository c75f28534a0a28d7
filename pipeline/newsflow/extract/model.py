"""What extraction takes in (a page, optional feed hints, the clock) and what it gives back.

Every metadata value travels with its source (``title_source``, ``published_source``, …) so that an
analyst can tell a date the publisher declared in JSON-LD from one guessed out of the page text, and
everything extraction refused (a date in the future, a placeholder author) is named in ``warnings``
instead of disappearing silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ExtractError(Exception):
    """An extraction that raised, carried across the process pool as :attr:`Extracted.error` and raised
    again (or quarantined) by whoever reads the result: ``ExtractError(extracted.error)``."""


@dataclass(frozen=True)
class FeedHints:
    """What the feed entry said about the page, used to reconcile and to fall back on.

    ``content_html`` is the entry's full content (RSS ``content:encoded``, Atom ``content``, JSON Feed
    ``content_html``/``content_text``); ``summary`` its teaser. Both may be HTML or plain text.
    """

    title: str | None = None
    summary: str | None = None
    content_html: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtractRequest:
    """One page for :func:`newsflow.extract.extract_many`: picklable, so it can cross into a worker."""

    html: bytes | str
    url: str | None = None
    hints: FeedHints | None = None
    now: datetime | None = None


@dataclass
class Extracted:
    """Body and metadata of one article. ``body`` follows the text convention of :mod:`newsflow.extract.blocks`."""

    title: str | None = None
    title_source: str | None = None
    body: str = ""
    body_source: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_source: str | None = None
    published: datetime | None = None
    published_source: str | None = None
    updated: datetime | None = None
    updated_source: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    language_source: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    is_truncated: bool = False
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # set only by extract_many when extracting this page raised

    @property
    def word_count(self) -> int:
        """``\\w+`` runs; in scripts written without spaces, one word per two characters."""
        from newsflow.extract.blocks import count_words

        return count_words(self.body)

    def as_json(self) -> dict[str, Any]:
        """The ``newsflow extract --json`` object (keys only ever grow: see the CLI contract)."""
        return {
            "title": self.title,
            "body": self.body,
            "published": self.published.isoformat() if self.published else None,
            "published_source": self.published_source,
            "language": self.language,
            "url": self.url,
            "authors": self.authors,
            "is_truncated": self.is_truncated,
            "word_count": self.word_count,
            "title_source": self.title_source,
            "body_source": self.body_source,
            "authors_source": self.authors_source,
            "updated": self.updated.isoformat() if self.updated else None,
            "updated_source": self.updated_source,
            "language_confidence": self.language_confidence,
            "language_source": self.language_source,
            "canonical_url": self.canonical_url,
            "site_name": self.site_name,
            "description": self.description,
            "image": self.image,
            "tags": self.tags,
            "warnings": self.warnings,
            **({"error": self.error} if self.error else {}),
        }
