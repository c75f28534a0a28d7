"""Body and metadata from an article page, or from a plain-text article.

- :func:`extract_html` — one page (bytes or text), optional :class:`FeedHints` and clock ``now``;
- :func:`extract_many` — many :class:`ExtractRequest` in a process pool, order kept, errors per page;
- :func:`extract_text` — the plain-text format of the seed article;
- :func:`newsflow.extract.pages.extract_pages` and :mod:`newsflow.extract.columns` — what the extract
  stage needs: pages rows in (with their feed hints), article columns out.

The page is parsed once (:mod:`.page`); metadata (:mod:`.metadata`, order of trust documented there)
and body (:mod:`.body`, the candidate chain and how it decides) read the same tree. Body text
follows the convention in :mod:`.blocks`: blank-line separated blocks, subheadings as ``## `` lines,
list items as ``- `` lines.
"""

from __future__ import annotations

from newsflow.extract.blocks import Block, from_text, norm
from newsflow.extract.cleanup import CleanContext, clean_blocks
from newsflow.extract.core import extract_html
from newsflow.extract.language import detect_language, guess_language
from newsflow.extract.model import Extracted, ExtractError, ExtractRequest, FeedHints
from newsflow.extract.pool import ExtractSettings, extract_many
from newsflow.extract.text import extract_text


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """The paragraph-level cleanup applied to plain paragraphs (no page to anchor them in)."""
    blocks = [Block("paragraph", text) for text in (norm(p) for p in paragraphs) if text]
    return [b.render() for b in clean_blocks(blocks, CleanContext())]


__all__ = [
    "Block",
    "ExtractError",
    "ExtractRequest",
    "ExtractSettings",
    "Extracted",
    "FeedHints",
    "clean_paragraphs",
    "detect_language",
    "extract_html",
    "extract_many",
    "extract_text",
    "from_text",
    "guess_language",
]
