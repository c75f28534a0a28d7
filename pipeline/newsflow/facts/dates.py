"""Resolve date expressions against the article's publish date.

"Monday" in a story published on Monday 2019-01-21 is that day; "Friday" is 2019-01-18, the most
recent Friday before it; "the end of February" is 2019-02 (month resolution). Values are ISO
strings at the resolution the text supports: day ``YYYY-MM-DD``, month ``YYYY-MM``, year ``YYYY``.
Expressions we cannot place (durations, "the weekend" without context) return None.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH_RE = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)


def _nearest_year(month: int, day: int | None, published: date) -> int:
    """The year that puts month/day closest to the publish date (news mostly looks back)."""
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


def resolve_date(text: str, published: date | None) -> tuple[str | None, str | None]:
    """``(value, resolution)`` for a date expression; ``(None, None)`` when it cannot be placed."""
    try:
        return _resolve(text, published)
    except (ValueError, OverflowError):  # arithmetic past year 1 or 9999: not a date we can place
        return None, None


def _resolve(text: str, published: date | None) -> tuple[str | None, str | None]:
    t = text.lower().strip().replace("’", "'")
    t = re.sub(r"'s$", "", t)

    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", t)
    if m:
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", t)
    if m:
        return _day(int(m.group(3)), MONTHS[m.group(1)[:3]], int(m.group(2)))
    m = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE},?\s+(\d{{4}})\b", t)
    if m:
        return _day(int(m.group(3)), MONTHS[m.group(2)[:3]], int(m.group(1)))
    m = re.search(rf"\b{_MONTH_RE}\s+(\d{{4}})\b", t)
    if m:
        return f"{int(m.group(2)):04d}-{MONTHS[m.group(1)[:3]]:02d}", "month"
    if published is None:
        m = re.fullmatch(r"(?:in |the year )?(\d{4})", t)
        return (m.group(1), "year") if m else (None, None)

    m = re.search(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", t) or None
    if m:
        month, day = MONTHS[m.group(1)[:3]], int(m.group(2))
        return _day(_nearest_year(month, day, published), month, day)
    m = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}\b", t)
    if m:
        month, day = MONTHS[m.group(2)[:3]], int(m.group(1))
        return _day(_nearest_year(month, day, published), month, day)

    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", t):
        return published.isoformat(), "day"
    if re.search(r"\b(yesterday|last night)\b", t):
        return (published - timedelta(days=1)).isoformat(), "day"
    if re.search(r"\btomorrow\b", t):
        return (published + timedelta(days=1)).isoformat(), "day"

    m = re.search(
        r"\b(last|next|this|on|early|late)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", t
    )
    if m:
        target = WEEKDAYS[m.group(2)]
        if m.group(1) == "next":
            delta = (target - published.weekday()) % 7 or 7
            return (published + timedelta(days=delta)).isoformat(), "day"
        back = (published.weekday() - target) % 7
        if m.group(1) == "last" and back == 0:
            back = 7
        return (published - timedelta(days=back)).isoformat(), "day"

    m = re.search(rf"\b{_MONTH_RE}(?!\w)", t)
    if m and not re.search(r"\d", t):
        month = MONTHS[m.group(1)[:3]]
        if re.search(r"\b(last)\b", t):
            year = published.year if month < published.month else published.year - 1
        elif re.search(r"\b(next|by|until|end of|the end)\b", t):
            year = published.year if month >= published.month else published.year + 1
        else:
            year = _nearest_year(month, None, published)
        return f"{year:04d}-{month:02d}", "month"

    rel = re.search(r"\b(last|next|this)\s+(week|month|year)\b", t)
    if rel:
        step = {"last": -1, "next": 1, "this": 0}[rel.group(1)]
        unit = rel.group(2)
        if unit == "year":
            return f"{published.year + step:04d}", "year"
        if unit == "month":
            month_index = published.year * 12 + published.month - 1 + step
            return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}", "month"
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        iso = monday.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}", "week"

    m = re.fullmatch(r"(?:in |the year |early |late |mid-?)?(\d{4})", t)
    if m:
        return m.group(1), "year"
    return None, None


def _day(year: int, month: int, day: int) -> tuple[str | None, str | None]:
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return None, None
