"""Titles, authors and dates: the cleaning rules on their own, milliseconds each."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.extract.authors import clean_authors
from newsflow.extract.dates import first_valid_date
from newsflow.extract.titles import reconcile_title, site_keys, strip_site_name

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Maria Lindqvist and Samuel Okafor", ["Maria Lindqvist", "Samuel Okafor"]),
        ("By Maria Lindqvist & Samuel Okafor", ["Maria Lindqvist", "Samuel Okafor"]),
        ("By Kofi Mensah · Business reporter", ["Kofi Mensah"]),
        ("Globe Post staff · 25 November 2026", ["Globe Post staff"]),
        ("Globe Post staff", ["Globe Post staff"]),
        ("Von Jana Petersen und Ole Hansen", ["Jana Petersen", "Ole Hansen"]),
        ("Por Lucía Ferrer y Diego Ruiz", ["Lucía Ferrer", "Diego Ruiz"]),
        ("Ana Duarte, Tomás Silva; Ana Duarte", ["Ana Duarte", "Tomás Silva"]),
        ("JOHN RAMIREZ", ["John Ramirez"]),
        ("https://www.facebook.com/someone", []),
        ("·", []),
        ("Staff Writer", []),
    ],
)
def test_authors_are_split_and_cleaned(raw, expected):
    assert clean_authors([raw]) == expected


def test_rejected_author_parts_are_recorded():
    warnings: list[str] = []
    assert clean_authors(["Lena Ortiz | lena@example.com"], warnings) == ["Lena Ortiz"]
    assert warnings == ["author_rejected:lena@example.com"]


@given(st.lists(st.text(max_size=80), max_size=5))
def test_authors_never_contain_separators_or_prefixes(raw):
    for name in clean_authors(raw):
        assert name and name == name.strip()
        assert not any(sep in name for sep in ("·", "|", ";", "&"))
        assert not name.lower().startswith("by ")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Port strike halts cargo – The Harbour Times | Business", "Port strike halts cargo"),
        ("The Harbour Times | Port strike halts cargo", "Port strike halts cargo"),
        ("Port strike halts cargo - harbourtimes.example", "Port strike halts cargo"),
        ("Brexit: what happens next | The Harbour Times", "Brexit: what happens next"),
        ("Hong Kong - Shenzhen rail link opens", "Hong Kong - Shenzhen rail link opens"),
    ],
)
def test_site_names_are_stripped_from_titles(title, expected):
    keys = site_keys(["The Harbour Times"], "https://www.harbourtimes.example/business/x")
    assert strip_site_name(title, keys) == expected


def test_title_order_of_trust():
    url = "https://www.harbourtimes.example/x"
    page = [
        ("jsonld", "Port strike halts cargo at three terminals"),
        ("og", "Port strike halts cargo at three terminals | The Harbour Times"),
        ("html", "Port strike halts cargo at three terminals – The Harbour Times | Business"),
    ]
    assert reconcile_title([("feed", "Dockworkers strike at Port Halden"), *page], ["The Harbour Times"], url) == (
        "Dockworkers strike at Port Halden",
        "feed",
    )
    assert reconcile_title([("feed", None), *page], ["The Harbour Times"], url) == (
        "Port strike halts cargo at three terminals",
        "jsonld",
    )
    assert reconcile_title([("feed", "The Harbour Times"), *page[1:]], ["The Harbour Times"], url) == (
        "Port strike halts cargo at three terminals",
        "og",
    )


def test_truncated_headline_yields_to_the_full_title():
    got = reconcile_title(
        [("jsonld", "Port strike halts cargo at three…"), ("og", "Port strike halts cargo at three terminals")],
        [],
        None,
    )
    assert got == ("Port strike halts cargo at three terminals", "og")


def test_logo_h1_does_not_become_the_title():
    got = reconcile_title(
        [("h1", "The Harbour Times"), ("h1", "Port strike halts cargo"), ("html", "Port strike halts cargo | News")],
        ["The Harbour Times"],
        None,
    )
    assert got == ("Port strike halts cargo", "h1")


def test_dates_in_the_future_or_before_1990_are_rejected_and_recorded():
    warnings: list[str] = []
    got = first_valid_date(
        "published",
        [
            ("jsonld", "2027-01-01T00:00:00Z"),
            ("meta", "1970-01-01T00:00:00Z"),
            ("meta", "1989-12-31"),
            ("meta", "not a date"),
            ("time_element", "2026-11-25T11:00:00+02:00"),
        ],
        NOW,
        warnings,
    )
    assert got == (datetime(2026, 11, 25, 9, tzinfo=UTC), "time_element")
    assert warnings == [
        "published_in_future:jsonld:2027-01-01T00:00:00+00:00",
        "published_before_1990:meta:1970-01-01T00:00:00Z",
        "published_before_1990:meta:1989-12-31T00:00:00+00:00",
        "published_unparseable:meta:not a date",
    ]


def test_a_few_minutes_of_clock_skew_are_tolerated():
    warnings: list[str] = []
    got, source = first_valid_date("published", [("meta", "2026-11-25T10:05:00Z")], NOW, warnings)
    assert got == datetime(2026, 11, 25, 10, 5, tzinfo=UTC) and source == "meta" and warnings == []


def test_naive_and_offset_datetimes_come_out_in_utc():
    warnings: list[str] = []
    got, _ = first_valid_date("published", [("feed", datetime(2026, 11, 24, 9, 0))], NOW, warnings)
    assert got == datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_a_feed_title_cut_short_yields_to_the_page():
    got = reconcile_title(
        [("feed", "Port strike halts cargo at…"), ("og", "Port strike halts cargo at three terminals | Harbour")],
        ["Harbour"],
        None,
    )
    assert got == ("Port strike halts cargo at three terminals", "og")
