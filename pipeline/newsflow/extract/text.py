"""A plain-text article (the seed's format): first line the title, an optional date line, then paragraphs."""

from __future__ import annotations

import re
from datetime import UTC

from newsflow.extract.blocks import from_text, render
from newsflow.extract.cleanup import CleanContext, clean_blocks
from newsflow.extract.language import detect_language
from newsflow.extract.model import Extracted

_DATE_LINE = re.compile(
    r"^(?:[A-Z][a-z]+day,?\s+)?(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2})"
    r"(?:[ T,]+\d{1,2}:\d{2}.*)?$"
)


def extract_text(text: str) -> Extracted:
    """Title, date and body of a plain-text article, with the same paragraph cleanup as HTML bodies."""
    from dateutil import parser as dateparser

    blocks = from_text(text)
    result = Extracted(body_source="text")
    if not blocks:
        return result
    result.title, result.title_source = blocks.pop(0).text, "text"
    if blocks and _DATE_LINE.match(blocks[0].text):
        try:
            result.published = dateparser.parse(blocks[0].text).replace(tzinfo=UTC)
            result.published_source = "text"
            blocks.pop(0)
        except (ValueError, OverflowError):
            pass
    result.body = render(clean_blocks(blocks, CleanContext(titles=[result.title])))
    result.language, result.language_confidence = detect_language(result.body)
    result.language_source = "detected" if result.language else None
    return result
