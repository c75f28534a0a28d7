"""Numbers as journalists write them: "2.4 billion", "three dozen", "1,200", "£12m", "40 per cent".

Shared by the money, percentage and quantity facts so that each parses numbers the same way.
"""

from __future__ import annotations

import re

WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "half": 0.5,
    "dozen": 12,
    "a dozen": 12,
}
SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "dozen": 12,
}
QUALIFIERS = [
    (r"\b(as many as|up to|at most|no more than|a maximum of)\b", "at_most"),
    (r"\b(at least|more than|over|upwards of|in excess of|a minimum of|no fewer than|no less than)\b", "at_least"),
    (r"\b(fewer than|less than|under|below)\b", "less_than"),
    (
        r"\b(approximately|about|around|roughly|some|nearly|almost|close to|an estimated|estimated|circa|"
        r"~)\b",
        "approximately",
    ),
]
VAGUE = {
    "dozens": "dozens",
    "hundreds": "hundreds",
    "thousands": "thousands",
    "millions": "millions",
    "billions": "billions",
    "scores": "scores",
    "several": "several",
    "a few": "few",
    "many": "many",
}

_NUM = re.compile(r"(\d{1,3}(?:[,\u202f\u00a0]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")


def parse_number(text: str) -> float | None:
    """The first number in ``text`` with its scale word applied, or None if there is none."""
    lowered = text.lower().replace("-", " ")
    match = _NUM.search(lowered)
    value: float | None = None
    rest = lowered
    if match:
        value = float(re.sub(r"[,\u202f\u00a0]", "", match.group(1)))
        rest = lowered[match.end() :]
    else:
        total = 0.0
        found = False
        for word in re.findall(r"[a-z]+", lowered):
            if found and word in SCALES:
                total = (total or 1) * SCALES[word]
            elif word in WORD_NUMBERS and word not in ("a", "an"):
                total += WORD_NUMBERS[word]
                found = True
            elif found:
                break
        if not found:
            return None
        return total
    scale = re.match(r"\s*([a-z]+)\b", rest)
    if scale and scale.group(1) in SCALES:
        value *= SCALES[scale.group(1)]
    return value


def qualifier_of(text: str) -> str | None:
    lowered = text.lower()
    for pattern, name in QUALIFIERS:
        if re.search(pattern, lowered):
            return name
    for word, name in VAGUE.items():
        if re.search(rf"\b{word}\b", lowered):
            return name
    return None
