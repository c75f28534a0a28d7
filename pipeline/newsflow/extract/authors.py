"""Author names as analysts count them: one person per entry, no "By", no separators, no roles.

A byline is written for readers ("By Maria Lindqvist and Samuel Okafor · Staff writers"), so it is
split on the conjunctions and separators bylines use in the languages we ingest, and what is left
of each part must look like a name: no URL or e-mail, no digits, a handful of words at most.
Everything dropped is named in the warnings.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from newsflow.extract.blocks import norm

_PREFIX = re.compile(
    r"^(?:(?:written|reported|posted|published|story|text|words|photos?)\s+by|by|von|por|par|door|di|av|af|"
    r"author|authors|autor|autore|auteur|byline|reporter)\s*[:\-–]?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:[,;|·•/&+]|\s(?:and|und|y|et|en|och|og|ja|i)\s)\s*", re.IGNORECASE)
_ROLE = re.compile(
    r"^(?:(?:senior|chief|special|staff|contributing|guest|associate|deputy|managing|political|foreign|"
    r"business|sports?|science|health|tech(?:nology)?|economics?|education|investigative|national|"
    r"local|white house|washington|correspondents?|editors?|writers?|reporters?|columnists?|"
    r"contributors?|producers?|photographers?|analysts?|the|a|an|and|in|at|for|of)\s*)+$",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NOISE = re.compile(r"https?://|www\.|@|\d|[<>{}\[\]=]")
_TRAILING_ROLE = re.compile(r"\s*[,(–-]\s*(?:staff|senior|special|chief|contributing)\b.*$", re.IGNORECASE)
_ROLE_NOUN = re.compile(
    r"(?:reporters?|writers?|correspondents?|editors?|columnists?|contributors?|staff|producers?|"
    r"photographers?|desk|team|journalists?|redaktion|redacción|rédaction)$",
    re.IGNORECASE,
)
MAX_ROLE_WORDS = 4
MAX_NAME_WORDS = 6
MAX_NAME_CHARS = 80


def split_byline(text: str) -> list[str]:
    """Parts of one byline string, prefixes and separators removed (not yet validated)."""
    text = norm(text)
    text = _PREFIX.sub("", text)
    text = _TRAILING_ROLE.sub("", text)
    return [_PREFIX.sub("", norm(p)).strip(" .:-–—") for p in _SPLIT.split(text)]


def clean_authors(raw: Iterable[str], warnings: list[str] | None = None) -> list[str]:
    """Split, clean and de-duplicate author strings; rejected parts go to ``warnings``.

    A part naming a role ("Staff writers", "Local democracy reporters") is dropped when it follows a
    name in the same byline; on its own ("Globe Post staff") it is the byline and is kept."""
    found: list[str] = []
    seen: set[str] = set()
    for value in raw:
        if not isinstance(value, str):
            continue
        kept_before = len(found)
        for url in _URL.findall(value):  # profile links stand in for names: record them, keep the rest
            if warnings is not None:
                warnings.append(f"author_rejected:{url[:60]}")
        for part in split_byline(_URL.sub(" | ", value)):
            if not part or _ROLE.match(part):
                continue
            if len(found) > kept_before and len(part.split()) <= MAX_ROLE_WORDS and _ROLE_NOUN.search(part):
                continue
            if _NOISE.search(part) or len(part.split()) > MAX_NAME_WORDS or len(part) > MAX_NAME_CHARS:
                if warnings is not None:
                    warnings.append(f"author_rejected:{part[:60]}")
                continue
            if not any(ch.isalpha() for ch in part):
                continue
            if part.isupper() and sum(ch.isalpha() for ch in part) >= 4:
                part = string.capwords(part.lower())  # "JOHN RAMIREZ" -> "John Ramirez", as other sites write it
            key = part.casefold()
            if key not in seen:
                seen.add(key)
                found.append(part)
    return found
