"""The frames Great Expectations validates: a table's columns plus computed *check columns*.

GX has no expectation for "this body is text", "this id was seen earlier in the batch" or "this
fact's offsets point at its text in the body", so each is a column computed here (vectorised, on
the pyarrow table) that an ordinary GX expectation then checks, with its bounds in the suite JSON.
Check columns start with ``_``; they exist only in the validation frame, never in a published
dataset. Only the columns the suite reads go into the frame: a 100,000-row hour of bodies is never
copied into pandas.

Each check column names the table columns it is computed from (:data:`ARTICLE_SOURCES`,
:data:`FACT_SOURCES`), so a quarantined row's ``observed_values`` show both the check's value and
the values it judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsflow.validate.suites import SuiteError
from newsflow.validate.text import text_signals

if TYPE_CHECKING:
    import pandas as pd

ARTICLE_SOURCES: dict[str, tuple[str, ...]] = {
    "_article_id_repeat": ("article_id",),
    "_url_repeat": ("url",),
    "_body_length": ("body",),
    "_text_quality": ("body",),
    "_case_switches": ("body",),
    "_markup_density": ("body",),
    "_word_count_ratio": ("word_count", "_words_in_body"),
    "_published_ahead_seconds": ("published", "fetched_at"),
}
FACT_SOURCES: dict[str, tuple[str, ...]] = {
    "_fact_id_repeat": ("fact_id",),
    "_article_known": ("article_id",),
    "_type_label": ("fact_type", "label"),
    "_offsets_in_body": ("start", "end", "_body_length"),
    "_text_matches": ("text", "_body_span", "start", "end"),
}


@dataclass
class ValidationFrame:
    """The frame GX validates, and the extra per-row values quarantine rows quote."""

    frame: pd.DataFrame
    sources: Mapping[str, tuple[str, ...]]
    extras: dict[str, Sequence[Any]] = field(default_factory=dict)  # e.g. the words counted in the body


def occurrence(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """1 for the first row with a value, 2 for the second… (null for null): a duplicate is every
    row after the first, so the first occurrence of an id passes and only the repeats fail."""
    arr = one_array(column)
    n = len(arr)
    if n == 0:
        return pa.array([], pa.int32())
    codes = pc.dictionary_encode(arr).indices.to_numpy(zero_copy_only=False)
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    codes = np.where(nulls, -1, codes).astype(np.int64)
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    group_start = np.r_[0, np.flatnonzero(ranked[1:] != ranked[:-1]) + 1]
    run = np.repeat(group_start, np.diff(np.r_[group_start, n]))
    out = np.empty(n, np.int32)
    out[order] = np.arange(n) - run + 1
    return pa.array(out, pa.int32(), mask=nulls)


def repair_utf8(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray | None]:
    """The column with invalid UTF-8 replaced by U+FFFD, and which rows had it (None if none did).

    Python strings always become valid UTF-8 in Arrow, but a table read from elsewhere may carry
    raw bytes; the check is one vectorised pass when the column is valid."""
    arr = one_array(column)
    try:
        arr.validate(full=True)
        return arr, None
    except pa.ArrowInvalid:
        pass
    raw = arr.cast(pa.large_binary()) if pa.types.is_large_string(arr.type) else arr.view(pa.binary())
    values: list[str | None] = []
    bad = np.zeros(len(arr), bool)
    for i, value in enumerate(raw.to_pylist()):
        if value is None:
            values.append(None)
            continue
        try:
            values.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            values.append(value.decode("utf-8", errors="replace"))
            bad[i] = True
    return pa.array(values, pa.string()), bad


def one_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array, zero-copy when it has one chunk (a body column is ~500 MB)."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _column(table: pa.Table, name: str) -> pa.Array:
    return one_array(table.column(name))


def _float(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def _seconds_between(later: pa.Array, earlier: pa.Array) -> pa.Array:
    delta = pc.subtract(later.cast(pa.timestamp("us", tz="UTC")), earlier.cast(pa.timestamp("us", tz="UTC")))
    return pc.divide(delta.cast(pa.int64()).cast(pa.float64()), 1e6)


def article_checks(table: pa.Table, wanted: set[str]) -> tuple[dict[str, pa.Array], dict[str, Sequence[Any]]]:
    """The check columns of an articles table that are in ``wanted``, and extras for quarantine."""
    out: dict[str, pa.Array] = {}
    extras: dict[str, Sequence[Any]] = {}
    if "_article_id_repeat" in wanted:
        out["_article_id_repeat"] = occurrence(_column(table, "article_id"))
    if "_url_repeat" in wanted:
        out["_url_repeat"] = occurrence(_column(table, "url"))
    if "_body_length" in wanted:
        out["_body_length"] = pc.utf8_length(_column(table, "body"))
    if wanted & {"_text_quality", "_case_switches", "_markup_density", "_word_count_ratio"}:
        signals = text_signals(_column(table, "body"))
        out["_text_quality"] = _float(signals.quality)
        out["_case_switches"] = _float(signals.case_switches)
        out["_markup_density"] = _float(signals.markup)
        word_count = _column(table, "word_count").to_numpy(zero_copy_only=False).astype(np.float64)
        # +1 on both sides: an empty body with word_count 0 is consistent, with 3 it is not.
        out["_word_count_ratio"] = _float((word_count + 1.0) / (signals.words + 1.0))
        extras["_words_in_body"] = np.round(signals.words, 1).tolist()
    if "_published_ahead_seconds" in wanted:
        out["_published_ahead_seconds"] = _seconds_between(_column(table, "published"), _column(table, "fetched_at"))
    return {name: col for name, col in out.items() if name in wanted}, extras


def fact_checks(
    facts: pa.Table, articles: pa.Table, wanted: set[str]
) -> tuple[dict[str, pa.Array], dict[str, Sequence[Any]]]:
    """The check columns of a facts table against the batch's articles (ids and bodies)."""
    out: dict[str, pa.Array] = {}
    extras: dict[str, Sequence[Any]] = {}
    n = facts.num_rows
    article_ids = _column(articles, "article_id")
    fact_article = _column(facts, "article_id")
    where = pc.index_in(fact_article, value_set=article_ids)  # the fact's article, null if none
    if "_fact_id_repeat" in wanted:
        out["_fact_id_repeat"] = occurrence(_column(facts, "fact_id"))
    if "_article_known" in wanted:
        out["_article_known"] = pc.is_valid(where)
    if "_type_label" in wanted:
        out["_type_label"] = pc.binary_join_element_wise(_column(facts, "fact_type"), _column(facts, "label"), ":")
    if wanted & {"_offsets_in_body", "_text_matches"}:
        lengths = pc.take(pc.utf8_length(_column(articles, "body")), where)
        start, end = _column(facts, "start"), _column(facts, "end")
        inside = pc.and_kleene(
            pc.and_kleene(pc.greater_equal(start, 0), pc.less(start, end)), pc.less_equal(end, lengths)
        )
        out["_offsets_in_body"] = inside
        extras["_body_length"] = lengths.to_pylist()
        # Only the bodies that facts point into become Python strings (offsets count characters).
        ok = inside.fill_null(False).to_numpy(zero_copy_only=False)
        rows = where.to_numpy(zero_copy_only=False)
        needed = np.unique(rows[ok].astype(np.int64)) if ok.any() else np.zeros(0, np.int64)
        bodies = dict(
            zip(needed.tolist(), pc.take(_column(articles, "body"), pa.array(needed)).to_pylist(), strict=True)
        )
        starts, ends, texts = start.to_pylist(), end.to_pylist(), _column(facts, "text").to_pylist()
        matches: list[bool | None] = [None] * n
        spans: list[str | None] = [None] * n
        for i in np.flatnonzero(ok).tolist():  # offsets inside the body: does the span hold the text?
            span = bodies[int(rows[i])][starts[i] : ends[i]]
            spans[i] = span
            matches[i] = span == texts[i]
        out["_text_matches"] = pa.array(matches, pa.bool_())
        extras["_body_span"] = spans
    return {name: col for name, col in out.items() if name in wanted}, extras


Checks = Callable[[pa.Table, set[str]], tuple[dict[str, pa.Array], dict[str, Sequence[Any]]]]


def build_frame(
    table: pa.Table, columns: Sequence[str], checks: Checks | None, sources: Mapping[str, tuple[str, ...]]
) -> ValidationFrame:
    """The pandas frame of ``columns`` (table columns and check columns), RangeIndex 0..n-1."""
    wanted = {c for c in columns if c.startswith("_")}
    computed, extras = checks(table, wanted) if checks and wanted else ({}, {})
    missing = [c for c in columns if c not in computed and c not in table.column_names]
    if missing:
        raise SuiteError(f"the suite reads column(s) {missing} that neither the table nor the check columns have")
    arrays: dict[str, pa.Array] = {}
    for name in columns:
        if name in computed:
            arrays[name] = computed[name]
        else:
            col = _column(table, name)
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                col, _ = repair_utf8(col)
            arrays[name] = col
    import pandas as pd

    frame = pd.DataFrame({name: _series(col) for name, col in arrays.items()}, index=pd.RangeIndex(table.num_rows))
    return ValidationFrame(frame=frame, sources=sources, extras=extras)


def _series(arr: pa.Array) -> Any:
    """A column as GX's pandas engine handles it fastest: strings Arrow-backed (its regex
    expectations then run in RE2, no conversion per expectation), numbers as int64/float64 (it
    compares other widths with a Python call per value)."""
    import pandas as pd

    kind = arr.type
    if pa.types.is_integer(kind):
        return pd.Series(
            arr.cast(pa.int64()).to_numpy(zero_copy_only=False)
            if arr.null_count == 0
            else arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
        )
    if pa.types.is_floating(kind):
        return pd.Series(arr.cast(pa.float64()).to_numpy(zero_copy_only=False))
    if pa.types.is_timestamp(kind):
        return pd.Series(arr.to_pandas())
    if pa.types.is_boolean(kind) and arr.null_count == 0:
        return pd.Series(arr.to_numpy(zero_copy_only=False))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return arr.to_pandas()
    return pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object)
