"""The CLI's JSON keys (a contract: keys only grow) and the dataset columns with their pyarrow types."""

from __future__ import annotations

import json
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from newsflow.facts import extract_facts, fact_json, fact_row
from newsflow.facts.output import CONTRACT_KEYS, FACT_COLUMNS, NEW_FACT_COLUMNS, facts_table
from newsflow.facts.types import Fact

TEXT = (
    "“We will spend $2.4 billion,” Mayor Angela Quist said on Monday, adding that about 40 new buses and "
    "a 4.3 per cent rise in fares would follow by the end of February."
)


def _facts() -> list[Fact]:
    found = extract_facts(TEXT, date(2026, 1, 21))
    assert {f.fact_type for f in found} == {"quote", "money", "entity", "date", "quantity", "percent"}
    return found


def test_fact_json_keeps_the_contract_keys_first_and_grows_only():
    for fact in _facts():
        out = fact_json(fact)
        assert list(out)[: len(CONTRACT_KEYS)] == list(
            ("fact_type", "label", "text", "start", "end", "value", "speaker", "unit", "qualifier", "resolution")
        )
        assert {
            "value_num",
            "value_max",
            "currency",
            "object",
            "date_start",
            "date_end",
            "canonical",
            "norm_key",
        } <= set(out)
        json.dumps(out)  # serialisable as it is
        if fact.fact_type in ("money", "percent", "quantity"):
            assert out["value"] == fact.value_num  # numbers, as the CLI always printed
        else:
            assert out["value"] == fact.value


def test_fact_json_values_by_type():
    by_type = {f.fact_type: fact_json(f) for f in _facts()}
    assert by_type["money"]["value"] == 2.4e9 and by_type["money"]["currency"] == "USD"
    assert by_type["date"]["date_start"] in ("2026-01-19", "2026-02-01")
    assert by_type["quote"]["speaker"] == "Angela Quist" and by_type["quote"]["currency"] is None


def test_dataset_columns_have_their_types_and_round_trip_through_parquet(tmp_path):
    facts = _facts()
    assert set(fact_row(facts[0])) == {name for name, _ in FACT_COLUMNS}
    assert set(NEW_FACT_COLUMNS) <= {name for name, _ in FACT_COLUMNS}
    table = facts_table(facts)
    types = dict(FACT_COLUMNS)
    assert table.schema.field("date_start").type == pa.date32() == types["date_start"]
    assert table.schema.field("value_max").type == pa.float64() and table.schema.field("start").type == pa.int32()
    path = tmp_path / "facts.parquet"
    pq.write_table(table, path)
    back = pq.read_table(path).to_pylist()
    assert len(back) == len(facts)
    for row, fact in zip(back, facts, strict=True):
        assert row["date_start"] == fact.date_start and row["value_num"] == fact.value_num
        assert TEXT[row["start"] : row["end"]] == row["text"]
    nulls = [row for row in back if row["fact_type"] == "entity"]
    assert nulls and all(r["currency"] is None and r["date_start"] is None and r["value_num"] is None for r in nulls)
