"""Dates: resolution against the publish date with tense and context, typed start/end/resolution;
durations and ages are not dates."""

from __future__ import annotations

from datetime import date

import pytest

from newsflow.facts.dates import FUTURE, PAST, duration_of, resolve, resolve_date
from tests.facts._helpers import facts, one

MONDAY = date(2019, 1, 21)


@pytest.mark.parametrize(
    ("text", "value", "resolution"),
    [
        ("Monday", "2019-01-21", "day"),
        ("Monday’s", "2019-01-21", "day"),
        ("Friday", "2019-01-18", "day"),
        ("last Monday", "2019-01-14", "day"),
        ("next Tuesday", "2019-01-22", "day"),
        ("yesterday", "2019-01-20", "day"),
        ("today", "2019-01-21", "day"),
        ("tomorrow", "2019-01-22", "day"),
        ("February 12, 2017", "2017-02-12", "day"),
        ("Feb. 12, 2017", "2017-02-12", "day"),
        ("12 February 2017", "2017-02-12", "day"),
        ("Sept. 3", "2018-09-03", "day"),
        ("March 3", "2019-03-03", "day"),
        ("the end of February", "2019-02", "month"),
        ("last December", "2018-12", "month"),
        ("June 2020", "2020-06", "month"),
        ("next month", "2019-02", "month"),
        ("last month", "2018-12", "month"),
        ("last year", "2018", "year"),
        ("the end of 2026", "2026", "year"),
        ("the end of last year", "2018", "year"),
        ("2017", "2017", "year"),
        ("late 2022", "2022", "year"),
        ("the 1970s", "1970/1979", "year"),
        ("2019 to 2023", "2019/2023", "year"),
        ("1950-53", "1950/1953", "year"),
        ("last week", "2019-W03", "week"),
        ("this week", "2019-W04", "week"),
        ("the fourth quarter of 2018", "2018-Q4", "quarter"),
        ("Q3 2018", "2018-Q3", "quarter"),
        ("the first half of next year", "2020-01/2020-06", "month"),
        ("April 2023 and June 2025", "2023-04/2025-06", "month"),
        ("May last year", "2018-05", "month"),
        ("three weeks ago", "2019-W01", "week"),
        ("a month ago", "2018-12", "month"),
        ("Christmas Day", "2018-12-25", "day"),
        ("2019-01-05", "2019-01-05", "day"),
        ("the year to March 2020", "2020-03", "month"),
        ("until at least 2030", "2030", "year"),
    ],
)
def test_resolves_against_publish_date(text, value, resolution):
    assert resolve_date(text, MONDAY) == (value, resolution)


def test_typed_start_and_end():
    v = resolve("the end of February", MONDAY)
    assert (v.start, v.end, v.resolution) == (date(2019, 2, 1), date(2019, 2, 28), "month")
    v = resolve("the fourth quarter of 2025", MONDAY)
    assert (v.start, v.end) == (date(2025, 10, 1), date(2025, 12, 31))
    v = resolve("the weekend", MONDAY, PAST)
    assert (v.start, v.end, v.resolution) == (date(2019, 1, 19), date(2019, 1, 20), "day")


@pytest.mark.parametrize(
    ("text", "tense", "value"),
    [
        ("February", PAST, "2018-02"),
        ("February", FUTURE, "2019-02"),
        ("June", PAST, "2018-06"),
        ("June", FUTURE, "2019-06"),
        ("January", PAST, "2019-01"),
        ("Friday", FUTURE, "2019-01-25"),
        ("Friday", PAST, "2019-01-18"),
        ("Monday", FUTURE, "2019-01-21"),
        ("the weekend", FUTURE, "2019-01-26/2019-01-27"),
        ("the first quarter", FUTURE, "2019-Q1"),
        ("the fourth quarter", PAST, "2018-Q4"),
    ],
)
def test_tense_decides_bare_months_weekdays_and_quarters(text, tense, value):
    assert resolve(text, MONDAY, tense).render() == value


@pytest.mark.parametrize(
    "text",
    [
        "the weekend",
        "three years",
        "the past decade",
        "February 30, 2019",
        "recent years",
        "a year earlier",
        "the previous weekend",
        "the quarter",
        "summer",
    ],
)
def test_unplaceable_expressions_stay_unresolved(text):
    assert resolve_date(text, MONDAY) == (None, None)


def test_relative_dates_need_a_publish_date():
    assert resolve_date("Monday", None) == (None, None)
    assert resolve_date("February 12, 2017", None) == ("2017-02-12", "day")


@pytest.mark.parametrize(("text", "published"), [("last Friday", date(1, 1, 1)), ("tomorrow", date(9999, 12, 31))])
def test_dates_beyond_the_calendar_are_unresolved_not_crashes(text, published):
    assert resolve_date(text, published) == (None, None)


@pytest.mark.parametrize(
    ("text", "label", "value", "unit"),
    [
        ("38-month", "DURATION", 38, "month"),
        ("52-year-old", "AGE", 52, "year"),
        ("three years", "DURATION", 3, "year"),
        ("another six months", "DURATION", 6, "month"),
        ("twice a week", "FREQUENCY", 2, "per week"),
        ("seven years old", "AGE", 7, "year"),
    ],
)
def test_durations_and_ages_are_recognised(text, label, value, unit):
    found = duration_of(text)
    assert (found.label, found.value, found.unit) == (label, value, unit)
    assert duration_of("two weeks ago") is None


# Through the pipeline, the tense comes from the parse (published Thursday 2026-03-19).


@pytest.mark.parametrize(
    ("sentence", "contains", "start", "end", "resolution"),
    [
        ("Inflation stood at 3.4 per cent in February.", "February", "2026-02-01", "2026-02-28", "month"),
        ("The new plant will open in September.", "September", "2026-09-01", "2026-09-30", "month"),
        ("Petrol peaked in October.", "October", "2025-10-01", "2025-10-31", "month"),
        ("Markets expect a cut at the next meeting in May.", "May", "2026-05-01", "2026-05-31", "month"),
        ("The legislature next meets in January.", "January", "2027-01-01", "2027-01-31", "month"),
        ("The vote will be held on Tuesday.", "Tuesday", "2026-03-24", "2026-03-24", "day"),
        ("The ministry said on Tuesday that it had agreed.", "Tuesday", "2026-03-17", "2026-03-17", "day"),
        ("The figures were published on Thursday.", "Thursday", "2026-03-19", "2026-03-19", "day"),
        ("Talks broke down over the weekend.", "weekend", "2026-03-14", "2026-03-15", "day"),
        ("The board expects a decision by the end of June.", "June", "2026-06-01", "2026-06-30", "month"),
        ("It had expected 2 per cent growth in March.", "March", "2026-03-01", "2026-03-31", "month"),
        ("Sales fell in the fourth quarter.", "fourth quarter", "2025-10-01", "2025-12-31", "quarter"),
    ],
)
def test_pipeline_resolves_with_the_tense_of_the_sentence(sentence, contains, start, end, resolution):
    fact = one(sentence, "date", contains)
    assert (fact.date_start.isoformat(), fact.date_end.isoformat(), fact.resolution) == (start, end, resolution)
    assert fact.value and fact.fact_type == "date" and fact.label == "DATE"


def test_pipeline_drops_what_it_cannot_place_and_keeps_durations_as_quantities():
    found = facts("Over the past decade, the 52-year-old served 38 months of a sentence, on a Sunday.")
    assert not [f for f in found if f.fact_type == "date"], [(f.text, f.fact_type) for f in found]
    assert {(f.label, f.value_num) for f in found if f.fact_type == "quantity"} >= {("AGE", 52), ("DURATION", 38)}


def test_fact_value_renders_the_resolution():
    assert one("The report said the summit would happen by the end of June.", "date", "June").value == "2026-06"
    assert one("The report said the summit would happen by the end of February.", "date", "February").value == "2027-02"
    assert one("Profits rose 4 per cent in 2025.", "date", "2025").value == "2025"
