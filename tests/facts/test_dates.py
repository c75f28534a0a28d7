from datetime import date

import pytest

from newsflow.facts.dates import resolve_date

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
        ("2017", "2017", "year"),
        ("last week", "2019-W03", "week"),
        ("2019-01-05", "2019-01-05", "day"),
    ],
)
def test_resolves_against_publish_date(text, value, resolution):
    assert resolve_date(text, MONDAY) == (value, resolution)


@pytest.mark.parametrize("text", ["the weekend", "three years", "the past decade", "February 30, 2019"])
def test_unplaceable_expressions_stay_unresolved(text):
    assert resolve_date(text, MONDAY) == (None, None)


def test_relative_dates_need_a_publish_date():
    assert resolve_date("Monday", None) == (None, None)
    assert resolve_date("February 12, 2017", None) == ("2017-02-12", "day")


@pytest.mark.parametrize(("text", "published"), [("last Friday", date(1, 1, 1)), ("tomorrow", date(9999, 12, 31))])
def test_dates_beyond_the_calendar_are_unresolved_not_crashes(text, published):
    assert resolve_date(text, published) == (None, None)
