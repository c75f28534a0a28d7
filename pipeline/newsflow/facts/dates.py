"""Resolve date expressions against the article's publish date, with tense.

"Monday" in a story published on Monday 2019-01-21 is that day; "Friday" is 2019-01-18, the most
recent Friday, unless the sentence is in the future ("will meet on Friday" → 2019-01-25).
A bare month follows the verb the same way: published in March, "inflation stood at 3.4 per cent
in February" is last month, "the plant will open in September" is this year's September. Every
resolved expression is a :class:`DateValue` — a first and last day and a resolution (day, week,
month, quarter, year) — so analysts can filter on ranges without parsing strings.

Durations, ages and frequencies ("38 months", "52-year-old", "twice a week") are not dates;
:func:`duration_of` recognises them so that the caller records them as quantities.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from newsflow.facts.numbers import NUMBER_PATTERN, WORD_NUMBER_PATTERN, parse_digits, word_number

MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
]  # fmt: skip
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_MONTH_RE = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY_RE = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
HOLIDAYS = {
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "christmas": (12, 25),
    "boxing day": (12, 26),
    "new year's eve": (12, 31),
    "new year's day": (1, 1),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
    "independence day": (7, 4),
    "bastille day": (7, 14),
}
PAST, FUTURE = "past", "future"
TIME_UNITS = {
    "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute", "hour": "hour",
    "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week", "fortnight": "week",
    "month": "month", "months": "month", "year": "year", "years": "year", "decade": "decade", "decades": "decade",
    "century": "century", "centuries": "century", "quarter": "quarter", "quarters": "quarter", "season": "season",
    "seasons": "season", "night": "night", "nights": "night",
}  # fmt: skip


@dataclass(frozen=True)
class DateValue:
    start: date
    end: date
    resolution: str

    def render(self) -> str:
        """ISO rendering at the resolution: 2019-01-21, 2019-W03, 2019-02, 2019-Q1, 2019, or "a/b" for ranges."""
        first, last = _render_one(self.start, self.resolution), _render_one(self.end, self.resolution)
        if self.resolution == "day":
            return first if self.start == self.end else f"{first}/{last}"
        if self.resolution == "year" and self.start.year == self.end.year:
            return first
        return first if first == last else f"{first}/{last}"


def _render_one(d: date, resolution: str) -> str:
    if resolution == "day":
        return d.isoformat()
    if resolution == "week":
        iso = d.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if resolution == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if resolution == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    return f"{d.year:04d}"


def _month_span(year: int, month: int) -> DateValue:
    return DateValue(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")


def _months_span(year: int, first: int, last: int, resolution: str = "month") -> DateValue:
    end_year = year + 1 if last < first else year
    return DateValue(date(year, first, 1), date(end_year, last, calendar.monthrange(end_year, last)[1]), resolution)


def _year_span(year: int) -> DateValue:
    return DateValue(date(year, 1, 1), date(year, 12, 31), "year")


def _quarter_span(year: int, quarter: int) -> DateValue:
    return _months_span(year, 3 * quarter - 2, 3 * quarter, "quarter")


def _week_span(day: date) -> DateValue:
    monday = day - timedelta(days=day.weekday())
    return DateValue(monday, monday + timedelta(days=6), "week")


def _day(year: int, month: int, day: int) -> DateValue | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return DateValue(d, d, "day")


def _year_for_month(month: int, day: int | None, published: date, tense: str | None) -> int:
    """The year of a month (and day) given without one: tense first, else the nearest."""
    if tense == PAST:
        if (month, day or 1) <= (published.month, published.day if day else 1):
            return published.year
        return published.year - 1
    if tense == FUTURE:
        if (month, day or 31) >= (published.month, published.day if day else 1):
            return published.year
        return published.year + 1
    best, best_gap = published.year, None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = date(year, month, day or 15)
        except ValueError:
            continue
        gap = abs((candidate - published).days)
        if best_gap is None or gap < best_gap:
            best, best_gap = year, gap
    return best


def _plausible_year(year: int) -> bool:
    return 1000 <= year <= 2200


_LEAD = re.compile(
    r"^(?:(?:on|in|at|by|since|until|till|from|during|before|after|of|for|around|about|as of|through|"
    r"between|starting|beginning|ending|from)\s+)+"
)
_QUAL = re.compile(r"^(?:the\s+)?(?:(?:very\s+)?(early|mid|middle|late|end|start|beginning|close)(?:-|\s+of\s+|\s+))")


def _clean(text: str) -> str:
    t = text.lower().strip().replace("’", "'").replace("\u00a0", " ")
    t = re.sub(r"'s$|s'$", "", t)
    t = re.sub(r"\s+", " ", t)
    t = re.sub(
        r"^(?:(?:until|till|by|from|since)\s+)?(?:at least|at most|at the earliest|at the latest|as early as|"
        r"as late as|no later than|no earlier than|sometime in|some time in|around|about)\s+",
        "",
        t,
    )
    t = re.sub(r"^(?:(?:higher|lower|more|less|up|down|earlier|later|bigger|smaller|better|worse)\s+)?than\s+", "", t)
    t = _LEAD.sub("", t)
    t = re.sub(r"^(?:the|this past|this coming)\s+(?=\d)", "", t)
    return t.strip(" ,.;:")


def clean_expression(text: str) -> str:
    """The normalised form the resolver reads: lower case, no leading preposition or possessive."""
    return _clean(text)


def resolve(text: str, published: date | None, tense: str | None = None, context: str = "") -> DateValue | None:
    """The calendar span of a date expression, or None when it cannot be placed.

    ``tense`` is ``"past"``, ``"future"`` or None (unknown) for the clause the expression is in;
    ``context`` is the text right after it (so "first-quarter results" looks back).
    """
    try:
        return _resolve(_clean(text), published, tense, context.lower())
    except (ValueError, OverflowError):  # arithmetic past year 1 or 9999: not a date we can place
        return None


def _resolve(t: str, published: date | None, tense: str | None, context: str) -> DateValue | None:
    if not t:
        return None
    ranged = _resolve_range(t, published, tense, context)
    if ranged is not None:
        return ranged
    qual = _QUAL.match(t)
    if qual:
        inner = t[qual.end() :]
        if published is not None and (unit := re.fullmatch(r"(?:the|this) (week|month|year|quarter)", inner)):
            return _step(published, unit[1], 0, tense)
        if inner:
            return _resolve(inner, published, tense, context)
    if m := re.fullmatch(
        r"(?:the )?(?:fiscal |financial )?year (?:to|ending|ended|through|starting|beginning) (?:in )?(.+)", t
    ):
        return _resolve(m[1], published, tense, context)
    if re.fullmatch(r"(?:spring|summer|autumn|fall|winter)", t):
        return None  # "one bad summer": a season in general, not a date ("the summer" is one)
    t = re.sub(r"^the\s+", "", t)

    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(rf"(?:{_WEEKDAY_RE},?\s+)?{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", t):
        return _day(int(m[4]), MONTHS[m[2][:3]], int(m[3]))
    if m := re.fullmatch(
        rf"(?:{_WEEKDAY_RE},?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE},?\s+(\d{{4}})", t
    ):
        return _day(int(m[4]), MONTHS[m[3][:3]], int(m[2]))
    if m := re.fullmatch(rf"{_MONTH_RE},?\s+(?:of\s+)?(\d{{4}})", t):
        return _month_span(int(m[2]), MONTHS[m[1][:3]])
    if m := re.fullmatch(r"(?:fiscal\s+|fy\s?|the\s+year\s+|calendar\s+)?(\d{4})(?:\s+(?:season|fiscal year))?", t):
        year = int(m[1])
        return _year_span(year) if _plausible_year(year) else None
    if m := re.fullmatch(r"(\d{2})(\d{2})s", t) or re.fullmatch(r"(\d{2})(\d)0's", t):
        start = int(m[1] + m[2]) if len(m[2]) == 2 else int(m[1] + m[2] + "0")
        if _plausible_year(start) and start % 10 == 0:
            return DateValue(date(start, 1, 1), date(start + 9, 12, 31), "year")
    if m := re.fullmatch(r"q([1-4])\s*(?:of\s+)?(\d{4})", t) or re.fullmatch(r"(\d{4})\s*q([1-4])", t):
        year, quarter = (int(m[2]), int(m[1])) if t.startswith("q") else (int(m[1]), int(m[2]))
        return _quarter_span(year, quarter)
    if published is None:
        return None
    return _relative(t, published, tense, context)


def _resolve_range(t: str, published: date | None, tense: str | None, context: str) -> DateValue | None:
    if m := re.fullmatch(r"(?:between\s+)?(\d{4})\s*(?:-|–|to|and|through)\s*(\d{2}|\d{4})", t):
        first_year = int(m[1])
        last_year = int(m[2]) if len(m[2]) == 4 else (first_year // 100) * 100 + int(m[2])
        if _plausible_year(first_year) and _plausible_year(last_year) and first_year < last_year:
            return DateValue(date(first_year, 1, 1), date(last_year, 12, 31), "year")
        return None
    parts = re.split(r"\s+(?:to|and|through|until|till)\s+|\s*[–-]\s*(?=[a-z])", t)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    second = _resolve(parts[1], published, tense, context)
    if second is None:
        return None
    first_text = parts[0]
    if re.fullmatch(_MONTH_RE, first_text) and second.resolution in ("month", "day"):
        first_text = f"{first_text} {second.start.year}"
    first = _resolve(first_text, published, tense, context)
    if first is None or first.start > second.end:
        if first is not None and re.fullmatch(_MONTH_RE, parts[0]):
            first = _month_span(second.start.year - 1, first.start.month)
        else:
            return None
    return DateValue(first.start, second.end, first.resolution)


def _relative(t: str, published: date, tense: str | None, context: str) -> DateValue | None:
    p = published
    if re.fullmatch(r"(?:today|tonight|this (?:morning|afternoon|evening)|now)", t):
        return DateValue(p, p, "day")
    if re.fullmatch(r"(?:yesterday|last night)(?: (?:morning|afternoon|evening))?", t):
        d = p - timedelta(days=1)
        return DateValue(d, d, "day")
    if re.fullmatch(r"tomorrow(?: (?:morning|afternoon|evening|night))?", t):
        d = p + timedelta(days=1)
        return DateValue(d, d, "day")

    if m := re.fullmatch(rf"(?:a|an|one|{NUMBER_PATTERN}|{WORD_NUMBER_PATTERN}) (days?|weeks?|months?|years?) ago", t):
        count_text = t.split(" ")[0]
        count = 1 if count_text in ("a", "an") else (parse_digits(count_text) or word_number(count_text))
        if count is None or count != int(count):
            return None
        n = int(count)
        unit = m[1].rstrip("s")
        if unit == "day":
            d = p - timedelta(days=n)
            return DateValue(d, d, "day")
        if unit == "week":
            return _week_span(p - timedelta(weeks=n))
        if unit == "month":
            index = p.year * 12 + p.month - 1 - n
            return _month_span(index // 12, index % 12 + 1)
        return _year_span(p.year - n)

    step_words = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "this": 0, "current": 0}
    if m := re.fullmatch(
        r"(?:(earlier|later) )?(last|next|this|current|coming|past|previous) (week|month|year|quarter|decade)",
        t,
    ):
        step = step_words[m[2]]
        unit = m[3]
        if m[2] == "past":
            return None  # "the past year" is a duration
        return _step(p, unit, step, tense)
    if m := re.fullmatch(r"(?:end|start|beginning|middle) of (?:the |this )?(week|month|year|quarter)", t):
        return _step(p, m[1], 0, tense)
    if m := re.fullmatch(r"(week|month|year|quarter)", t):
        return None  # "the year" on its own points at something else in the text

    if m := re.fullmatch(r"(first|second|third|fourth|1st|2nd|3rd|4th|final|last)[ -]quarter(?: of (.+))?", t):
        quarter = 4 if m[1] in ("final", "last") else ORDINAL_WORDS[m[1]]
        if m[2]:
            anchor = _resolve(m[2], p, tense, context)
            return _quarter_span(anchor.start.year, quarter) if anchor else None
        looking_back = re.match(r"\s*(?:results|earnings|profits?|revenue|sales|figures|numbers|report)", context)
        return _nearest_quarter(p, quarter, PAST if looking_back else tense)
    if m := re.fullmatch(r"(first|second|1st|2nd) half(?: of (.+))?", t):
        half = 1 if m[1] in ("first", "1st") else 2
        year = p.year
        if m[2]:
            anchor = _resolve(m[2], p, tense, context)
            if anchor is None:
                return None
            year = anchor.start.year
        elif tense == PAST and half == 2 and p.month <= 6:
            year -= 1
        elif tense == FUTURE and half == 1 and p.month > 6:
            year += 1
        return _months_span(year, 1, 6) if half == 1 else _months_span(year, 7, 12)

    if m := re.fullmatch(
        r"(?:(last|next|this|past) )?(spring|summer|autumn|fall|winter)"
        r"(?: (?:of )?(\d{4}|last year|next year|this year))?",
        t,
    ):
        first, last = SEASONS[m[2]]
        if m[3]:
            anchor = _resolve(m[3], p, tense, context)
            if anchor is None:
                return None
            return _months_span(anchor.start.year, first, last)
        year = p.year
        started = (p.month, p.day) >= (first, 1) if first != 12 else p.month == 12
        ended = p.month > last if first != 12 else (p.month > last and p.month < 12)
        which = m[1] or ("last" if tense == PAST and not started else "next" if tense == FUTURE and ended else None)
        if which in ("last", "past"):
            year = p.year if ended else p.year - 1
        elif which == "next":
            year = p.year if not started else p.year + 1
        elif first == 12 and p.month <= 2:
            year = p.year - 1
        return _months_span(year, first, last)

    if m := re.fullmatch(
        rf"(?:(last|next|this|early|late|on) )?{_WEEKDAY_RE}"
        r"(?: (?:morning|afternoon|evening|night))?(?: (?:last|next) week)?",
        t,
    ):  # noqa: E501
        target = WEEKDAYS[m[2]]
        which = m[1]
        if "next week" in t:
            monday = p - timedelta(days=p.weekday()) + timedelta(weeks=1)
            d = monday + timedelta(days=target)
            return DateValue(d, d, "day")
        if "last week" in t:
            monday = p - timedelta(days=p.weekday()) - timedelta(weeks=1)
            d = monday + timedelta(days=target)
            return DateValue(d, d, "day")
        back = (p.weekday() - target) % 7
        ahead = (target - p.weekday()) % 7
        if which == "next":
            d = p + timedelta(days=ahead or 7)
        elif which == "last":
            d = p - timedelta(days=back or 7)
        elif back == 0:
            d = p
        elif tense == FUTURE:
            d = p + timedelta(days=ahead)
        elif tense == PAST:
            d = p - timedelta(days=back)
        else:
            d = p - timedelta(days=back) if back <= ahead else p + timedelta(days=ahead)
        return DateValue(d, d, "day")

    if m := re.fullmatch(r"(?:(last|this|next|past) )?weekend", t):
        which, wd = m[1], p.weekday()
        recent = p - timedelta(days=wd - 5) if wd >= 5 else p - timedelta(days=wd + 2)  # last Saturday begun
        upcoming = recent if wd >= 5 else p + timedelta(days=5 - wd)
        if which in ("last", "past"):
            saturday = recent - timedelta(weeks=1) if wd >= 5 else recent
        elif which == "this":
            saturday = upcoming
        elif which == "next":
            saturday = upcoming + timedelta(weeks=1) if wd >= 5 else upcoming
        elif tense == PAST:
            saturday = recent
        elif tense == FUTURE:
            saturday = upcoming if wd <= 5 else upcoming + timedelta(weeks=1)
        else:
            return None
        return DateValue(saturday, saturday + timedelta(days=1), "day")

    for name, (month, day) in HOLIDAYS.items():
        if m := re.fullmatch(rf"(?:(last|this|next) )?{re.escape(name)}(?: (\d{{4}}))?", t):
            year = int(m[2]) if m[2] else _year_for_month(month, day, p, tense)
            if m[1] == "last":
                year = p.year if (month, day) < (p.month, p.day) else p.year - 1
            elif m[1] == "next":
                year = p.year if (month, day) > (p.month, p.day) else p.year + 1
            return _day(year, month, day)

    if m := re.fullmatch(rf"{_MONTH_RE} (\d{{1,2}})(?:st|nd|rd|th)?", t) or re.fullmatch(
        rf"(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH_RE}", t
    ):
        month_text, day_text = (m[1], m[2]) if not m[1][0].isdigit() else (m[2], m[1])
        month, day = MONTHS[month_text[:3]], int(day_text)
        return _day(_year_for_month(month, day, p, tense), month, day)
    if m := re.fullmatch(rf"(?:(last|next|this) )?{_MONTH_RE}(?: (last|next|this) year)?", t):
        month = MONTHS[m[2][:3]]
        if m[3]:
            return _month_span(p.year + {"last": -1, "next": 1, "this": 0}[m[3]], month)
        if m[1] == "last":
            return _month_span(p.year if month < p.month else p.year - 1, month)
        if m[1] == "next":
            return _month_span(p.year if month > p.month else p.year + 1, month)
        if m[1] == "this":
            return _month_span(p.year, month)
        return _month_span(_year_for_month(month, None, p, tense), month)
    if m := re.fullmatch(r"(last|next|this) year'?s?", t):
        return _year_span(p.year + {"last": -1, "next": 1, "this": 0}[m[1]])
    return None


def _step(p: date, unit: str, step: int, tense: str | None) -> DateValue | None:
    if unit == "year":
        return _year_span(p.year + step)
    if unit == "decade":
        start = (p.year // 10) * 10 + 10 * step
        return DateValue(date(start, 1, 1), date(start + 9, 12, 31), "year")
    if unit == "month":
        index = p.year * 12 + p.month - 1 + step
        return _month_span(index // 12, index % 12 + 1)
    if unit == "quarter":
        index = p.year * 4 + (p.month - 1) // 3 + step
        return _quarter_span(index // 4, index % 4 + 1)
    return _week_span(p + timedelta(weeks=step))


def _nearest_quarter(p: date, quarter: int, tense: str | None) -> DateValue:
    current = (p.month - 1) // 3 + 1
    if tense == PAST:
        year = p.year if quarter < current else p.year - 1
    elif tense == FUTURE:
        year = p.year if quarter >= current else p.year + 1
    else:
        year = p.year if abs(quarter - current) <= 2 else (p.year - 1 if quarter > current else p.year + 1)
    return _quarter_span(year, quarter)


def resolve_date(text: str, published: date | None, tense: str | None = None) -> tuple[str | None, str | None]:
    """``(value, resolution)`` for a date expression; ``(None, None)`` when it cannot be placed."""
    value = resolve(text, published, tense)
    if value is None:
        return None, None
    return value.render(), value.resolution


@dataclass(frozen=True)
class Duration:
    """A duration, age or frequency written like a date ("38 months", "52-year-old", "twice a week")."""

    label: str  # "DURATION", "AGE" or "FREQUENCY"
    value: float | None
    unit: str
    qualifier: str | None = None
    value_max: float | None = None


_DUR_QUAL = {
    "more than": "at_least", "over": "at_least", "at least": "at_least", "upwards of": "at_least",
    "up to": "at_most", "as many as": "at_most", "as long as": "at_most", "no more than": "at_most",
    "nearly": "approximately", "almost": "approximately", "about": "approximately", "around": "approximately",
    "roughly": "approximately", "some": "approximately", "approximately": "approximately",
    "less than": "less_than", "under": "less_than", "fewer than": "less_than", "just under": "less_than",
}  # fmt: skip
_COUNT = rf"(?:{NUMBER_PATTERN}|{WORD_NUMBER_PATTERN}|a few|several|a couple of)"
_DURATION_RE = re.compile(
    r"^(?:(?:a further|another|an additional|a full|"
    r"the (?:past|last|next|first|final|previous|following|remaining))\s+)?"
    r"(?P<q>" + "|".join(sorted(_DUR_QUAL, key=len, reverse=True)) + r")?\s*"
    r"(?P<n>" + _COUNT + r")(?:\s*(?:to|-|–|and)\s*(?P<max>" + _COUNT + r"))?"
    r"[\s-]+(?:(?:full|straight|consecutive|more|long|extra|additional)\s+)?"
    r"(?P<unit>seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|years?|decades?|centuries|century|"
    r"quarters?|seasons?)"
    r"(?P<old>[\s-]+old)?(?:[\s-]+(?:long|running|old))?$",
    re.IGNORECASE,
)
_FREQUENCY_RE = re.compile(
    r"^(?P<n>once|twice|thrice|"
    + _COUNT
    + r" times)\s+(?:a|an|per|every|each)\s+(?P<unit>day|week|month|year|quarter|season)$",
    re.IGNORECASE,
)
_AGED_RE = re.compile(r"^(?:aged|age)\s+(?P<n>\d{1,3})$", re.IGNORECASE)


def _count_value(text: str) -> float | None:
    t = text.lower().strip()
    if t in ("a few", "several", "a couple of"):
        return None
    if t[0].isdigit() or t[0] == ".":
        return parse_digits(t)
    return word_number(t)


def duration_of(text: str) -> Duration | None:
    """A :class:`Duration` if the expression is a duration, age or frequency rather than a date."""
    t = re.sub(r"\s+", " ", text.strip().replace("’", "'").replace("\u00a0", " "))
    t = re.sub(r"^(?:the|a|an)\s+(?=\d|[a-z]+[- ]year)", "", t, flags=re.IGNORECASE)
    if re.search(r"\b(?:ago|earlier|later|before|after|since)\b", t, re.IGNORECASE):
        return None
    if m := _FREQUENCY_RE.match(t):
        word = m["n"].lower()
        times = {"once": 1.0, "twice": 2.0, "thrice": 3.0}.get(word)
        if times is None:
            times = _count_value(word.rsplit(" ", 1)[0])
        return Duration("FREQUENCY", times, f"per {m['unit'].lower()}")
    if m := _AGED_RE.match(t):
        return Duration("AGE", float(m["n"]), "year")
    m = _DURATION_RE.match(t)
    if not m:
        return None
    value = _count_value(m["n"])
    if value is None and m["n"].lower() not in ("a few", "several", "a couple of"):
        return None
    unit = TIME_UNITS[m["unit"].lower()]
    if unit == "fortnight":
        unit, value = "week", (value or 1) * 2
    maximum = _count_value(m["max"]) if m["max"] else None
    qualifier = _DUR_QUAL.get((m["q"] or "").lower())
    if m["old"] or re.search(r"year-old$", t, re.IGNORECASE):
        return Duration("AGE", value, unit, qualifier, maximum)
    return Duration("DURATION", value, unit, qualifier, maximum)
