"""Publication dates in UTC, checked against the clock before anyone trusts them.

A date after ``now`` (plus a few minutes of clock skew) or before 1990 is a template bug, a local
time mislabelled as UTC, or a placeholder. Such a value is rejected — the next source in the order
of trust gets its turn — and the rejection is recorded in the warnings as
``<field>_<reason>:<source>:<value>``, so it is never accepted, nor dropped, silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from newsflow.sources.parse import parse_datetime

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=10)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _is_placeholder(raw: object) -> bool:
    if not isinstance(raw, str):
        return False
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return value.year < EARLIEST.year


def first_valid_date(
    field: str,
    candidates: Iterable[tuple[str, object]],
    now: datetime,
    warnings: list[str],
) -> tuple[datetime | None, str | None]:
    """The first candidate ``(source, raw value)`` that parses and is plausible, as ``(datetime, source)``."""
    latest = as_utc(now) + CLOCK_SKEW
    for source, raw in candidates:
        if raw is None or raw == "":
            continue
        value = as_utc(raw) if isinstance(raw, datetime) else parse_datetime(raw if isinstance(raw, str) else None)
        shown = raw.isoformat() if isinstance(raw, datetime) else str(raw)[:40]
        if value is None:
            # parse_datetime refuses placeholders (year 1, the Unix epoch) outright; name them as such.
            reason = "before_1990" if _is_placeholder(raw) else "unparseable"
            warnings.append(f"{field}_{reason}:{source}:{shown}")
        elif value > latest:
            warnings.append(f"{field}_in_future:{source}:{value.isoformat()}")
        elif value < EARLIEST:
            warnings.append(f"{field}_before_1990:{source}:{value.isoformat()}")
        else:
            return value, source
    return None, None
