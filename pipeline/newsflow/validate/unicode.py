"""Strings that Arrow refuses, made into strings the suites can judge.

A Python ``str`` may hold lone surrogates (U+D800-U+DFFF): ``json.loads`` makes one from half an
escaped emoji in a page's JSON-LD (``"\\ud83d"``), ``bytes.decode(errors="surrogateescape")`` from
every byte that is not UTF-8. Arrow cannot encode them, so one such title makes
``storage.to_table`` raise for the whole hour. :func:`sanitize_row` replaces each with U+FFFD,
which the articles suite then quarantines (``title_invalid_utf8``) with the rest of the row intact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def sanitize_text(value: str) -> str:
    """``value`` with every lone surrogate replaced by U+FFFD (the common case, none, costs one scan)."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def sanitize_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` whose strings (and strings in lists) Arrow can encode."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = sanitize_text(value)
        elif isinstance(value, list):
            value = [sanitize_text(v) if isinstance(v, str) else v for v in value]
        out[key] = value
    return out
