"""The vectorised text signals: the same answer as a per-string reading, bounded work per body."""

from __future__ import annotations

import random
import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.validate import text
from newsflow.validate.text import case_switches, markup_density, text_quality, text_signals, word_estimate

ALPHABET = "abc XYZ éüñ東語ไทย😀_-.,'\n\t\u0301\u200d€$<>{}|0123ƒ\ufffd\x01Ωω"


def _random_bytes(seed: int, n: int = 20_000) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(n))


def test_prose_in_any_script_is_text(real_bodies):
    signals = text_signals(pa.array(real_bodies))
    assert signals.quality.size == 181
    assert signals.quality.min() >= 0.9
    assert signals.case_switches.max() < 0.03
    assert signals.markup.max() < 0.01


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_not_text_however_they_were_decoded(seed):
    junk = _random_bytes(seed)
    as_utf8 = junk.decode("utf-8", errors="replace")
    as_latin1 = junk.decode("latin-1")
    as_cp1252 = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", junk.decode("cp1252", errors="ignore"))
    assert text_quality(as_utf8) < 0.5
    assert text_quality(as_latin1) < 0.8
    assert text_quality(as_cp1252) < 0.8 or case_switches(as_cp1252) > 0.04
    rng = random.Random(seed)
    printable = "".join(rng.choice([chr(c) for c in range(32, 127)]) for _ in range(5000))
    assert case_switches(printable) > 0.04


def test_empty_and_blank_bodies_score_zero():
    assert text_quality("") == 0.0
    assert text_quality(" \n\t " * 100) == 0.0
    assert word_estimate("") == 0.0


def test_markup_is_measured():
    soup = '<div class="a"><p>Text <b>here</b></p></div>' * 30
    assert markup_density(soup) > 0.1
    assert markup_density("Plain prose with no tags at all, about the council budget.") == 0.0


def test_nulls_stay_null_and_the_scalar_matches_the_column():
    values = ["Hello world", None, "", "😀 emoji 😀", "x" * 1000]
    signals = text_signals(pa.array(values))
    assert np.isnan(signals.quality[1]) and np.isnan(signals.words[1])
    for i, value in enumerate(values):
        if value is not None:
            assert signals.quality[i] == text_quality(value)
            assert signals.case_switches[i] == case_switches(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=200))
def test_word_count_is_exact_for_bodies_that_fit_in_the_windows(body):
    estimate = word_estimate(body)
    if len(body.encode()) <= text.WINDOW_BYTES * text.WINDOWS and not re.search("[東語ไทย]", body):
        assert estimate == len(re.findall(r"\w+", body))
    if re.search("[東語ไทย]", body):
        assert np.isnan(estimate)  # no word count for scripts written without spaces


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=900)), min_size=1, max_size=40))
def test_a_column_gives_each_value_what_it_gets_alone(values):
    """Windows read neighbouring values' bytes (the column is one buffer): none may leak into a score."""
    signals = text_signals(pa.array(values, pa.string()))
    for i, value in enumerate(values):
        if value is None:
            assert np.isnan(signals.quality[i])
            continue
        alone = text_signals(pa.array([value], pa.string()))
        assert signals.quality[i] == alone.quality[0]
        assert signals.case_switches[i] == alone.case_switches[0]
        assert signals.markup[i] == alone.markup[0]
        assert (np.isnan(signals.words[i]) and np.isnan(alone.words[0])) or signals.words[i] == alone.words[0]


def test_sliced_chunked_and_large_string_columns_read_the_right_bytes():
    values = [f"Story {i}: the council voted {i} times." for i in range(10_000)]
    full = text_signals(pa.array(values))
    sliced = text_signals(pa.array(values).slice(5000, 100))
    assert np.array_equal(sliced.words, full.words[5000:5100])
    chunked = text_signals(pa.chunked_array([pa.array(values[:3]), pa.array(values[3:6])]))
    assert np.array_equal(chunked.words, full.words[:6])
    large = text_signals(pa.array(values[:50], pa.large_string()))
    assert np.array_equal(large.words, full.words[:50])


def test_long_bodies_are_estimated_from_windows(real_bodies):
    """Beyond 384 bytes the count is an estimate: on real text within 35 % of the truth."""
    long = [b for b in real_bodies if len(b.encode()) > 4 * text.WINDOW_BYTES * text.WINDOWS]
    signals = text_signals(pa.array(long))
    truth = np.array([len(re.findall(r"\w+", b)) for b in long], dtype=float)
    ratio = truth / signals.words
    ratio = ratio[~np.isnan(ratio)]
    assert ratio.size > 100
    assert ratio.min() > 0.65 and ratio.max() < 1.5
    assert not signals.exact.any()


def test_a_five_megabyte_body_costs_what_a_short_one_does():
    huge = "The council approved the budget. " * 150_000
    assert len(huge) > 4_900_000
    assert text_quality(huge) == 1.0
    assert abs(word_estimate(huge) / len(re.findall(r"\w+", huge)) - 1) < 0.05


def test_invalid_utf8_in_an_arrow_column_is_not_text():
    raw = pa.array([b"ok text here", b"\xff\xfe\xfd\xfc" * 50], pa.binary()).view(pa.string())
    signals = text_signals(raw)
    assert signals.quality[0] == 1.0 and signals.quality[1] == 0.0
