"""Money and percentages found by rules on the text itself, in any language that writes numbers.

Rules rather than the model's MONEY/PERCENT labels because the model leaves the currency sign
outside the span a third of the time, reads "4.3 per cent" as money and has no notion of minor
units, ranges, prices per unit or exchange rates. The rules work on characters, so the same
scanner serves English and, with a decimal comma and local words, German, Spanish, French …

What comes out, per amount: the span (currency sign or word, number and magnitude inside it),
``value_num`` in major units with the magnitude applied ("52 cents" → 0.52, "€1.2bn" → 1.2e9),
``value_max`` for ranges, the ISO ``currency``, and a ``label``: ``MONEY``, ``PRICE_PER_UNIT``
(``unit`` = "per barrel") or ``EXCHANGE_RATE`` (``unit`` = "per USD", the currency it is priced
against). Money per period keeps the label ``MONEY`` with ``unit`` = "per year".
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsflow.facts.currency import (
    CURRENCY_NOUN_PATTERN,
    CURRENCY_NOUN_RE,
    ISO_CODES,
    minor_unit_code,
    noun_code,
    sign_code,
)
from newsflow.facts.numbers import (
    NUMBER_PATTERN,
    SCALES,
    WORD_NUMBER_PATTERN,
    parse_digits,
    qualifier_of,
    render_number,
    word_number,
)
from newsflow.facts.types import Fact


@dataclass(frozen=True)
class Locale:
    """How one language writes amounts: decimal mark, magnitude words, currency and percent words."""

    decimal_comma: bool = False
    scales: dict[str, float] = field(default_factory=dict)
    currency_words: dict[str, str] = field(default_factory=dict)
    percent_words: tuple[str, ...] = ()


ENGLISH = Locale()

_SIGN_ALTS = sorted(
    ["US$", "U.S.$", "A$", "AU$", "C$", "CA$", "CAN$", "HK$", "NZ$", "S$", "R$", "MX$", "NT$", "$", "£", "€",
     "¥", "₹", "₩", "₽", "₺", "₦", "₱", "₪", "₫"],
    key=len,
    reverse=True,
)  # fmt: skip
SIGN_PATTERN = "|".join(re.escape(s) for s in _SIGN_ALTS)
CODE_PATTERN = r"\b(?:" + "|".join(sorted(ISO_CODES)) + r")\b"
_EN_SCALE = r"(?:[ \u00a0](?:thousand|million|billion|trillion|crore|lakh|bn|mn|mln|tn|trn)\b|(?:thousand|million|billion|trillion|bn|mn|mln|tn|trn|m|b|k)\b)"  # noqa: E501
_MINOR = r"(?:(?:US|U\.S\.|euro|Canadian|Australian|NZ|HK)\s+)?(?:cents?\b|pence\b|penny\b|paise\b)"
_PCT_UNIT = (
    r"(?:\s?%|\s?per\s?cent\b|\s?percent\b|\s?pct\b|(?<=\d)pc\b|[ -]percentage[ -]points?\b|"
    r"[ -](?:ppts?|pp)\b|[ -]basis[ -]points?\b|\s?bps\b|\s?bp\b)"
)


def _amount_regex(locale: Locale) -> re.Pattern[str]:
    number = r"\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?" if locale.decimal_comma else NUMBER_PATTERN
    scales = _EN_SCALE
    if locale.scales:
        words = "|".join(sorted((re.escape(w) for w in locale.scales), key=len, reverse=True))
        scales = r"(?:[ \u00a0]?(?:" + words + r")(?=[\s,;:)]|$)|" + _EN_SCALE + ")"
    post_words = CURRENCY_NOUN_PATTERN
    if locale.currency_words:
        post_words += "|" + "|".join(sorted((re.escape(w) for w in locale.currency_words), key=len, reverse=True))
    pct_unit = _PCT_UNIT
    if locale.percent_words:
        pct_unit += "|" + "|".join(r"\s" + re.escape(w) + r"\b" for w in locale.percent_words)
    return re.compile(
        r"(?<![\w$£€¥.,])"
        r"(?:(?P<pre>" + SIGN_PATTERN + r"|" + CODE_PATTERN + r"|Rs\.?(?=\s?\d))[ \u00a0]?)?"
        r"(?P<num>"
        + number
        + r"|\b"
        + WORD_NUMBER_PATTERN
        + r"\b|\ban?\b(?=[ \u00a0](?:thousand|million|billion|trillion)))"
        r"(?P<scale>" + scales + r")?"
        r"(?:(?P<pct>" + pct_unit + r")"
        r"|[ \u00a0-]?(?P<post>(?:" + _MINOR + r")|(?:" + post_words + r")(?=\W|$)|" + CODE_PATTERN + r"|€|p\b(?!\.\w))"
        r"|(?P<ppsign>(?<=\d)p\b(?!\.\w)))?",
        re.IGNORECASE,
    )


_AMOUNT_RE = _amount_regex(ENGLISH)
_FRACTION_PP = re.compile(
    r"\b(?:(?:a|one)[ -](?P<frac>quarter|half|third|tenth)[ -]of[ -]a|half[ -]a|(?P<tq>three[ -]quarters)[ -]of[ -]a)"
    r"[ -]percentage[ -]point\b",
    re.IGNORECASE,
)
_FRACTIONS = {"quarter": 0.25, "half": 0.5, "third": 1 / 3, "tenth": 0.1}
RANGE_JOIN = re.compile(r"^\s*(?:to|-|–|—|and|or)\s*$", re.IGNORECASE)
_PER_UNIT = re.compile(
    r"^[ \u00a0]*(?:(?P<art>an?)|(?P<per>per|/))[ \u00a0]*(?P<unit>square (?:foot|feet|metre|meter|mile)|"
    r"(?:megawatt|kilowatt)[- ]hour|[A-Za-z]+)\b(?![ \u00a0]+(?:ago|earlier|later|before|after)\b)",
)
_EACH = re.compile(r"^[ \u00a0]*(?:each|apiece)\b", re.IGNORECASE)
_PERIODS = {"year": "year", "annum": "year", "month": "month", "week": "week", "day": "day", "quarter": "quarter"}
_UNIT_NOUNS = {
    "share", "barrel", "ounce", "gallon", "litre", "liter", "tonne", "ton", "kilogram", "kilo", "kg", "pound", "lb",
    "bushel", "dose", "hour", "night", "head", "person", "passenger", "unit", "ticket", "pack", "packet", "bottle",
    "pint", "square foot", "square metre", "square meter", "megawatt-hour", "megawatt hour", "kilowatt-hour",
    "kilowatt hour", "mwh", "kwh", "mile", "kilometre", "kilometer", "seat", "room", "acre", "hectare", "visit",
    "piece", "item", "game", "vote", "child", "household", "family", "student", "employee", "worker", "user",
    "subscriber", "copy", "car", "vehicle", "flight", "trip", "meal", "page", "word", "minute", "cigarette",
    "pill", "tablet", "test", "farm", "bag", "box", "can", "cup", "loaf", "dozen", "gram", "megawatt",
    "customer", "patient", "resident", "home", "house", "tree", "animal", "sheep", "cow", "carton",
}  # fmt: skip
_SINGULAR = {
    "shares": "share", "barrels": "barrel", "ounces": "ounce", "gallons": "gallon", "litres": "litre",
    "liters": "litre", "liter": "litre", "tonnes": "tonne", "tons": "ton", "kilograms": "kilogram", "kilo": "kilogram",
    "kg": "kilogram", "kilos": "kilogram", "lb": "pound", "pounds": "pound", "bushels": "bushel", "doses": "dose",
    "hours": "hour", "kilometer": "kilometre", "meter": "metre", "square meter": "square metre", "mwh": "megawatt-hour",
    "megawatt hour": "megawatt-hour", "kwh": "kilowatt-hour", "kilowatt hour": "kilowatt-hour", "annum": "year",
}  # fmt: skip
_RATE_VERBS = re.compile(
    r"\b(?:rose|rise|rises|rising|fell|fall|falls|falling|slipped|slips|slid|climbed|climbs|dropped|drops|traded|"
    r"trades|trading|weakened|weakens|strengthened|firmed|eased|eases|gained|gains|lost|hit|hits|reached|jumped|"
    r"sank|tumbled|rallied|stood|stands|was|is|held|holds|steady|near|quoted|changed|ended|closed|opened|edged|"
    r"slumped|plunged|surged|soared|recovered|bought|buys|fetched|fetches|worth)\b",
    re.IGNORECASE,
)
_RATE_TARGET = re.compile(
    r"^[ \u00a0]*(?:per|a|an|to(?:[ \u00a0]+the)?|against(?:[ \u00a0]+the)?|for(?:[ \u00a0]+(?:the|one|each))?)"
    r"[ \u00a0]+(?P<cur>" + CURRENCY_NOUN_PATTERN + r"|" + CODE_PATTERN + r")\b",
    re.IGNORECASE,
)


_CHANGE_BEFORE = re.compile(
    r"\b(?:from|by|rose|rise|rises|fell|fall|falls|climbed|jumped|gained|lost|dropped|added|cut|raised|"
    r"increased|decreased|up|down|grew|shrank|slipped|slid)\s+(?:about|around|roughly|nearly|almost|some|just\s+)?$"
)
_QUALIFIER_BEFORE = re.compile(
    r"\b(?P<q>as many as|as much as|up to|at most|no more than|a maximum of|at least|more than|over|upwards of|"
    r"in excess of|a minimum of|no fewer than|no less than|fewer than|less than|under|below|"
    r"just under|approximately|about|around|roughly|some|nearly|almost|close to|an estimated|estimated|circa|"
    r"just over|near)\s+$",
    re.IGNORECASE,
)


def qualifier_before(text: str, start: int) -> str | None:
    """The qualifier written right before a number ("about $3m" → approximately), or None."""
    m = _QUALIFIER_BEFORE.search(text[max(0, start - 24) : start])
    return qualifier_of(m.group("q") + " ") if m else None


@dataclass
class Amount:
    start: int
    end: int
    kind: str  # "money", "percent" or "number"
    value: float
    has_scale: bool
    scale: float = 1.0
    currency: str | None = None
    unit: str | None = None  # percent unit, or None
    minor: bool = False


def _scale_value(raw: str | None, locale: Locale) -> float:
    if not raw:
        return 1.0
    word = raw.strip().lower()
    if word in locale.scales:
        return locale.scales[word]
    for key, value in locale.scales.items():
        if key.lower() == word:
            return value
    return SCALES.get(word, 1.0)


def _number_value(raw: str, locale: Locale) -> float | None:
    if raw[0].isdigit() or raw[0] == ".":
        return parse_digits(raw, locale.decimal_comma)
    if raw.lower() in ("a", "an"):
        return 1.0
    return word_number(raw)


def _percent_unit(raw: str) -> str:
    low = raw.lower()
    if "percentage" in low or low.strip() in ("pp", "ppt", "ppts"):
        return "percentage_point"
    if "basis" in low or low.strip() in ("bps", "bp"):
        return "basis_point"
    return "percent"


def find_amounts(text: str, locale: Locale = ENGLISH, context: str | None = None) -> list[Amount]:
    """Every number with a currency or percent marker (and bare numbers next to one, for ranges)."""
    regex = _AMOUNT_RE if locale is ENGLISH else _amount_regex(locale)
    found: list[Amount] = []
    article_context = text if context is None else context
    for m in regex.finditer(text):
        value = _number_value(m.group("num"), locale)
        if value is None:
            continue
        pre, post, pct = m.group("pre"), m.group("post") or m.group("ppsign"), m.group("pct")
        word_num = not m.group("num")[0].isdigit()
        scale = _scale_value(m.group("scale"), locale)
        if m.group("num").lower() in ("a", "an") and scale == 1.0:
            continue
        start, end = m.start(), m.end()
        if pct:
            if word_num and not re.search(r"per\s?cent|percent", pct, re.IGNORECASE):
                continue
            found.append(
                Amount(start, end, "percent", value * scale, bool(m.group("scale")), scale, unit=_percent_unit(pct))
            )
            continue
        currency: str | None = None
        minor = False
        if pre:
            currency = sign_code(pre)
        if post:
            post_clean = post.strip(" \u00a0-")
            low = post_clean.lower()
            if re.search(r"(cents?|pence|penny|paise|^p)$", low):
                minor = True
                if currency is None:
                    words_before = post_clean[: -len(low.split()[-1])] if " " in low else ""
                    currency = "GBP" if low in ("p", "pence", "penny") else None
                    if currency is None:
                        currency = "INR" if low == "paise" else minor_unit_code(words_before, [])
                        if not words_before.strip():
                            currency = None  # decided below from the article's other amounts
            elif post_clean.upper() in ISO_CODES or post_clean.upper() == "RMB":
                currency = currency or sign_code(post_clean)
            elif post_clean == "€":
                currency = currency or "EUR"
            elif post_clean in locale.currency_words:
                currency = currency or locale.currency_words[post_clean]
            elif low in {k.lower() for k in locale.currency_words}:
                currency = currency or next(v for k, v in locale.currency_words.items() if k.lower() == low)
            else:
                code = noun_code(post_clean, article_context)
                ambiguous_word = low in ("pounds", "pound", "won", "real", "sol", "dong", "rand")
                if ambiguous_word and not (scale > 1 or pre or low.startswith(("pounds sterling", "pound sterling"))):
                    code = None  # "5 pounds" is mostly weight, "3 won" a score
                if code is None and pre is None:
                    post = None
                    end = m.start("post") if m.group("post") else m.start("ppsign")
                    end = len(text[:end].rstrip(" \u00a0-")) if end else m.end("num")
                else:
                    currency = currency or code
        if pre is None and post is None:
            if word_num:
                continue
            end = m.end("scale") if m.group("scale") else m.end("num")
            found.append(Amount(start, end, "number", value * scale, bool(m.group("scale")), scale))
            continue
        amount_value = value * scale / (100.0 if minor else 1.0)
        found.append(Amount(start, end, "money", amount_value, bool(m.group("scale")), scale, currency, minor=minor))
    for match in _FRACTION_PP.finditer(text):
        frac = 0.75 if match.group("tq") else _FRACTIONS.get((match.group("frac") or "half").lower(), 0.5)
        found.append(Amount(match.start(), match.end(), "percent", frac, False, unit="percentage_point"))
    found.sort(key=lambda a: (a.start, -a.end))
    # Minor units whose currency the text leaves open take the article's dollar or euro.
    codes = [a.currency for a in found if a.kind == "money" and a.currency and not a.minor]
    ranked = [code for code, _ in Counter(codes).most_common()]
    for amount in found:
        if amount.kind == "money" and amount.currency is None and amount.minor:
            words_before = text[max(0, amount.start - 12) : amount.start]
            amount.currency = minor_unit_code(words_before, ranked)
    return _drop_overlaps(found)


def _drop_overlaps(amounts: list[Amount]) -> list[Amount]:
    kept: list[Amount] = []
    for amount in amounts:
        if kept and amount.start < kept[-1].end:
            if amount.end - amount.start > kept[-1].end - kept[-1].start:
                kept[-1] = amount
            continue
        kept.append(amount)
    return kept


@dataclass
class MoneyFact:
    start: int
    end: int
    kind: str
    value: float
    value_max: float | None
    currency: str | None
    unit: str | None
    label: str
    qualifier: str | None


def _merge_ranges(text: str, amounts: list[Amount]) -> list[tuple[Amount, Amount | None]]:
    """Pair "X to Y", "X-Y", "between X and Y" where Y is money or a percentage; X may be a bare number."""
    out: list[tuple[Amount, Amount | None]] = []
    i = 0
    while i < len(amounts):
        a = amounts[i]
        b = amounts[i + 1] if i + 1 < len(amounts) else None
        pairable = b is not None and (
            (b.kind in ("money", "percent") and a.kind in (b.kind, "number"))
            or (a.kind in ("money", "percent") and b.kind == "number" and text[a.end : b.start].strip() in "-–to")
        )
        if b is not None and pairable:
            gap = text[a.end : b.start]
            before = text[max(0, a.start - 30) : a.start].lower()
            joined = RANGE_JOIN.match(gap)
            if joined and gap.strip().lower() == "and":
                joined = joined if re.search(r"between\s+$", before) else None
            change = _CHANGE_BEFORE.search(before)
            if joined and change and not (a.kind == "number" and change.group(0).split()[0] != "from"):
                joined = None  # "from $9.99 to $11.99", "by 4 cents to 52 cents": a change, not a range
            if joined and a.kind == "money" and a.currency and b.currency and a.currency != b.currency:
                joined = None
            if joined and a.kind == "percent" and b.kind == "percent" and a.unit != b.unit:
                joined = None
            if joined:
                if b.kind == "number":
                    b = Amount(b.start, b.end, a.kind, b.value, b.has_scale, b.scale, a.currency, a.unit, a.minor)
                out.append((a, b))
                i += 2
                continue
        if a.kind != "number":
            out.append((a, None))
        i += 1
    return out


def _rate_target(text: str, end: int) -> tuple[str, int] | None:
    """ "… per dollar" / "to the euro" right after an amount: (ISO code priced against, end of phrase)."""
    m = _RATE_TARGET.match(text[end : end + 40])
    if not m:
        return None
    code = noun_code(m.group("cur")) if not m.group("cur").isupper() else sign_code(m.group("cur"))
    if code is None:
        return None
    return code, end + m.end()


def _subject_currency(sentence: str, offset: int, own: str | None) -> str | None:
    """The currency a sentence is about ("The pound fell to $1.2650" → GBP), looking back from ``offset``."""
    before = sentence[:offset]
    for match in reversed(list(CURRENCY_NOUN_RE.finditer(before))):
        code = noun_code(match.group(0), sentence)
        if code is None or code == own:
            continue
        gap = before[match.end() :]
        if len(gap) > 80 or not _RATE_VERBS.search(gap):
            return None
        return code
    return None


def _per_unit(text: str, end: int) -> tuple[str, str, int] | None:
    """ "a barrel" / "per share" / "each" after an amount: (label, unit, end)."""
    each = _EACH.match(text[end : end + 12])
    if each:
        return "PRICE_PER_UNIT", "per unit", end + each.end()
    m = _PER_UNIT.match(text[end : end + 40])
    if not m:
        return None
    raw = m.group("unit").lower()
    noun = _SINGULAR.get(raw, raw)
    if noun.endswith("s") and noun[:-1] in _UNIT_NOUNS:
        noun = noun[:-1]
    if noun in _PERIODS:
        return "MONEY", f"per {_PERIODS[noun]}", end + m.end()
    if m.group("art") and noun not in _UNIT_NOUNS:
        return None
    if not m.group("art") and not noun.isalpha() and "-" not in noun and " " not in noun:
        return None
    return "PRICE_PER_UNIT", f"per {_SINGULAR.get(noun, noun)}", end + m.end()


def money_and_percent(
    text: str,
    sentences: Sequence[tuple[int, int]] = (),
    locale: Locale = ENGLISH,
    context: str | None = None,
) -> list[MoneyFact]:
    """Money and percent facts of a text; ``sentences`` (start, end) give exchange-rate context."""
    starts = [s for s, _ in sentences]
    results: list[MoneyFact] = []
    for a, b in _merge_ranges(text, find_amounts(text, locale, context)):
        last = b or a
        kind = last.kind
        start, end = a.start, last.end
        value = a.value
        value_max = None
        if b is not None:
            value_max = b.value
            if a.kind == "number" or (not a.has_scale and b.has_scale):
                value = (a.value / (a.scale or 1.0)) * b.scale / (100.0 if b.minor else 1.0)
        qualifier = qualifier_before(text, start)
        if kind == "percent":
            results.append(MoneyFact(start, end, "percent", value, value_max, None, last.unit, "PERCENT", qualifier))
            continue
        currency = last.currency or a.currency
        label, unit = "MONEY", None
        per = _per_unit(text, end)
        rate = _rate_target(text, end)
        if rate is not None and not last.has_scale and rate[0] != currency:
            label, unit = "EXCHANGE_RATE", f"per {rate[0]}"
            end = end if text[end : rate[1]].strip().lower().startswith(("to", "against", "for")) else rate[1]
        elif per is not None:
            label, unit, end = per[0], per[1], per[2]
        elif not last.has_scale and currency and value < 100000 and sentences:
            idx = bisect.bisect_right(starts, start) - 1
            if idx >= 0:
                s_start, s_end = sentences[idx]
                subject = _subject_currency(text[s_start:s_end], start - s_start, currency)
                if subject is not None:
                    label, unit = "EXCHANGE_RATE", f"per {subject}"
        if currency is None and label == "EXCHANGE_RATE" and a.kind == "money":
            currency = a.currency
        results.append(MoneyFact(start, end, "money", value, value_max, currency, unit, label, qualifier))
    # Bare numbers priced against a currency ("92.15 per dollar", "7.1 per dollar").
    for m in re.finditer(r"(?<![\w.,$£€¥])(" + NUMBER_PATTERN + r")(?=[ \u00a0]+per[ \u00a0])", text):
        if any(r.start <= m.start() < r.end for r in results):
            continue
        rate = _rate_target(text, m.end())
        if rate is None:
            continue
        currency = None
        if sentences:
            idx = bisect.bisect_right(starts, m.start()) - 1
            if idx >= 0:
                s_start, _ = sentences[idx]
                for cur in reversed(list(CURRENCY_NOUN_RE.finditer(text[s_start : m.start()]))):
                    code = noun_code(cur.group(0), text)
                    if code and code != rate[0]:
                        currency = code
                        break
        rate_value = parse_digits(m.group(1), locale.decimal_comma)
        if rate_value is None:
            continue
        results.append(
            MoneyFact(m.start(), rate[1], "money", rate_value, None, currency, f"per {rate[0]}", "EXCHANGE_RATE", None)
        )
    results.sort(key=lambda r: r.start)
    return results


def render_money(value: float, value_max: float | None, currency: str | None, unit: str | None) -> str:
    amount = render_number(value) + ("" if value_max is None else "–" + render_number(value_max))
    parts = [amount]
    if currency:
        parts.append(currency)
    if unit:
        parts.append(unit)
    return " ".join(parts)


def render_percent(value: float, value_max: float | None, unit: str | None) -> str:
    amount = render_number(value) + ("" if value_max is None else "–" + render_number(value_max))
    if unit == "percentage_point":
        return f"{amount} percentage points"
    if unit == "basis_point":
        return f"{amount} basis points"
    return f"{amount}%"


def to_facts(found: list[MoneyFact], text: str, sentence_of, extractor: str = "rules") -> list[Fact]:
    """Turn scanner results into :class:`Fact` records (``sentence_of(start, end)`` gives the sentence)."""
    facts = []
    for r in found:
        span = text[r.start : r.end]
        if r.kind == "percent":
            facts.append(
                Fact(
                    "percent", "PERCENT", span, r.start, r.end, sentence_of(r.start, r.end),
                    value=render_percent(r.value, r.value_max, r.unit), value_num=r.value, value_max=r.value_max,
                    unit=r.unit, qualifier=r.qualifier, extractor=extractor,
                )
            )  # fmt: skip
        else:
            facts.append(
                Fact(
                    "money", r.label, span, r.start, r.end, sentence_of(r.start, r.end),
                    value=render_money(r.value, r.value_max, r.currency, r.unit), value_num=r.value,
                    value_max=r.value_max, currency=r.currency, unit=r.unit, qualifier=r.qualifier,
                    extractor=extractor,
                )
            )  # fmt: skip
    return facts
