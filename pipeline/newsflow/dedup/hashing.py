"""Content hashes that ignore what does not change the text: case, whitespace and punctuation."""

from __future__ import annotations

import hashlib
import re


def normalise_text(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode()).hexdigest()


def stable_id(*parts: str, length: int = 16) -> str:
    """A short, deterministic id from its parts (article ids, fact ids, story ids)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]
