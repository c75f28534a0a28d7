"""Numbers as journalists write them: "2.4 billion", "three dozen", "1,200", "£12m", "3,5 Mio.".

Shared by the money, percentage, quantity and date rules so that each parses numbers the same way.
"""

from __future__ import annotations

import math
import re

UNITS_WORDS = {
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
}
TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
WORD_NUMBERS: dict[str, float] = {**UNITS_WORDS, **TENS_WORDS, "dozen": 12, "a dozen": 12, "half": 0.5}
SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "million": 1e6,
    "millions": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "trn": 1e12,
    "dozen": 12,
}
QUALIFIERS = [
    (r"\b(as many as|as much as|up to|at most|no more than|a maximum of)\b", "at_most"),
    (
        r"\b(at least|more than|over|upwards of|in excess of|a minimum of|no fewer than|no less than|above)\b",
        "at_least",
    ),
    (r"\b(fewer than|less than|under|below|just under)\b", "less_than"),
    (
        r"\b(approximately|about|around|roughly|some|nearly|almost|close to|an estimated|estimated|circa|"
        r"just over|nearly|near|ca\.)(?=\s|$)|~",
        "approximately",
    ),
]
_QUALIFIER_RES = [(re.compile(pattern, re.IGNORECASE), name) for pattern, name in QUALIFIERS]
_VAGUE_RE = re.compile(r"\b(dozens|scores|hundreds|thousands|millions|billions)\b", re.IGNORECASE)

NUMBER_PATTERN = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_NUM = re.compile(NUMBER_PATTERN)
WORD_NUMBER_PATTERN = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|"
    r"eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|a dozen|half a)"
)


def parse_digits(text: str, decimal_comma: bool = False) -> float | None:
    """A digit string with its separators: "1,200.5" → 1200.5; with ``decimal_comma`` "1.200,5" → 1200.5."""
    s = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not s:
        return None
    if decimal_comma:
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s) or "," in s:
            s = s.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d+\.\d{1,2}", s):
            pass  # "3.5" in a decimal-comma language is still most likely 3.5
    else:
        s = s.replace(",", "")
    if len(s) > 40:
        return None  # a run of digits, not a number anyone wrote
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def word_number(text: str) -> float | None:
    """ "twenty-five" → 25, "three" → 3, "a dozen" → 12, "half a" → 0.5; None if not a number word."""
    t = text.lower().strip()
    if t in ("a dozen", "dozen"):
        return 12.0
    if t == "half a":
        return 0.5
    parts = re.split(r"[- ]", t)
    if len(parts) == 1:
        value = UNITS_WORDS.get(parts[0], TENS_WORDS.get(parts[0]))
        return None if value is None else float(value)
    if len(parts) == 2 and parts[0] in TENS_WORDS and parts[1] in UNITS_WORDS and UNITS_WORDS[parts[1]] < 10:
        return float(TENS_WORDS[parts[0]] + UNITS_WORDS[parts[1]])
    return None


def parse_number(text: str) -> float | None:
    """The first number in ``text`` with its scale word applied, or None if there is none."""
    lowered = text.lower().replace("-", " ")
    match = _NUM.search(lowered)
    if match:
        parsed = parse_digits(match.group(0))
        if parsed is None:
            return None
        value = parsed
        scale = re.match(r"\s*([a-z]+)\b", lowered[match.end() :])
        if scale and scale.group(1) in SCALES:
            value *= SCALES[scale.group(1)]
        return value
    total = 0.0
    found = False
    for word in re.findall(r"[a-z]+", lowered):
        if found and word in SCALES:
            total = (total or 1) * SCALES[word]
        elif word in WORD_NUMBERS and word not in ("a", "an", "half"):
            if found and word in UNITS_WORDS and total % 10 == 0 and total >= 20:
                total += WORD_NUMBERS[word]
            elif found:
                break
            else:
                total += WORD_NUMBERS[word]
            found = True
        elif found:
            break
    return total if found else None


def qualifier_of(text: str) -> str | None:
    """The normalised qualifier a phrase carries ("as many as 20" → "at_most"), or None."""
    for pattern, name in _QUALIFIER_RES:
        if pattern.search(text):
            return name
    vague = _VAGUE_RE.search(text)
    if vague:
        return vague.group(1).lower()
    return None


def render_number(value: float) -> str:
    """A plain decimal rendering without exponent: 3000000.0 → "3000000", 0.52 → "0.52"."""
    if not math.isfinite(value) or abs(value) >= 1e18:
        return f"{value:g}"
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
