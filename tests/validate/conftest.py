"""Articles for the validation tests: real bodies (the extraction benchmark's ground truth) and helpers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsflow.config import DEFAULT_EXPECTATIONS_DIR
from newsflow.dedup.hashing import content_hash, stable_id

SUITES = DEFAULT_EXPECTATIONS_DIR
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "article-extraction-benchmark"
FETCHED = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)


@pytest.fixture(scope="session")
def real_bodies() -> list[str]:
    """The 181 hand-checked article bodies of the extraction benchmark (many languages and lengths)."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [item["articleBody"] for _, item in sorted(truth.items())]
    assert len(bodies) == 181
    return bodies


def article(i: int, body: str, **overrides: Any) -> dict[str, Any]:
    """An article row as the extract stage builds it, valid unless overridden."""
    url = f"https://news.example.com/2026/11/25/story-{i}"
    row: dict[str, Any] = {
        "article_id": stable_id(url),
        "url": url,
        "canonical_url": url,
        "feed": "example",
        "site": "news.example.com",
        "title": f"Story number {i} of the day",
        "authors": ["A. Reporter"],
        "published": FETCHED - timedelta(minutes=30 + i),
        "published_source": "jsonld",
        "language": "en",
        "body": body,
        "body_source": "trafilatura",
        "is_truncated": False,
        "word_count": len(re.findall(r"\w+", body)) if body is not None else None,
        "content_hash": content_hash(body) if body else None,
        "version": 1,
        "fetched_at": FETCHED,
        "raw_ref": "sha256:" + "0" * 64,
        "run_id": "run-test",
    }
    row.update(overrides)
    return row
