"""What extraction contributes to an ``articles`` row, and how feed fields become hints.

The extract stage fills a row with ``article_fields(extracted)`` (see :func:`newsflow.extract.pages.extract_pages`
for the loop); the new columns and their pyarrow types are listed in :data:`NEW_ARTICLE_COLUMNS` for
``storage.ARTICLES``.

``declared_canonical_url`` is the URL the page names as canonical (``<link rel=canonical>``…); the
existing ``canonical_url`` column stays the pipeline's own canonicalisation of the fetched URL.
``site_name`` is what the page calls its site; the existing ``site`` column stays the registry's.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from newsflow.extract.model import Extracted

TS = pa.timestamp("us", tz="UTC")

NEW_ARTICLE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("title_source", pa.string()),  # feed | jsonld | og | twitter | h1 | html | text
    ("authors_source", pa.string()),  # jsonld | meta | byline | feed
    ("updated_source", pa.string()),  # jsonld | meta
    ("language_confidence", pa.float32()),  # py3langid probability; null when declared or none
    ("language_source", pa.string()),  # detected | declared
    ("site_name", pa.string()),  # og:site_name > JSON-LD publisher > application-name
    ("declared_canonical_url", pa.string()),  # the page's own canonical URL, absolute
    ("image", pa.string()),  # top image URL, absolute
    ("tags", pa.list_(pa.string())),  # article:tag + JSON-LD keywords + keywords meta
    ("description", pa.string()),  # og:description > description meta
    ("extract_warnings", pa.list_(pa.string())),  # e.g. published_in_future:jsonld:2031-…
)


def article_fields(ex: Extracted) -> dict[str, Any]:
    """The ``articles`` columns that come from extraction (existing ones and :data:`NEW_ARTICLE_COLUMNS`)."""
    return {
        "title": ex.title,
        "title_source": ex.title_source,
        "authors": ex.authors,
        "authors_source": ex.authors_source,
        "published": ex.published,
        "published_source": ex.published_source,
        "updated": ex.updated,
        "updated_source": ex.updated_source,
        "language": ex.language,
        "language_confidence": ex.language_confidence,
        "language_source": ex.language_source,
        "body": ex.body or None,
        "body_source": ex.body_source,
        "is_truncated": ex.is_truncated,
        "word_count": ex.word_count,
        "site_name": ex.site_name,
        "declared_canonical_url": ex.canonical_url,
        "image": ex.image,
        "tags": ex.tags,
        "description": ex.description,
        "extract_warnings": ex.warnings,
    }
