"""How facts leave the package: the CLI's JSON lines and the ``facts`` dataset's columns.

``fact_json`` is the ``newsflow facts FILE… --json`` contract: the keys it has always printed
(path is added by the CLI) and, after them, the typed fields; keys only ever grow. For money,
percent and quantity facts ``value`` is the number, as it always was; the text rendering stays
in the dataset's ``value`` column.

``FACT_COLUMNS`` lists the dataset columns this package fills, with their pyarrow types, so the
schema in ``storage.py`` can be checked against it; ``fact_row`` gives one row's values.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from newsflow.facts.types import Fact

NUMERIC_FACTS = {"money", "percent", "quantity"}
CONTRACT_KEYS = ("fact_type", "label", "text", "start", "end", "value", "speaker", "unit", "qualifier", "resolution")
TYPED_KEYS = (
    "value_num", "value_max", "currency", "object", "date_start", "date_end", "canonical", "norm_key",
    "confidence", "speech_verb", "extractor",
)  # fmt: skip

# Columns of the ``facts`` dataset that come from a Fact (article_id, fact_id, extractor_version,
# run_id and schema_version are the stage's).
FACT_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("fact_type", pa.string()),
    ("label", pa.string()),
    ("text", pa.string()),
    ("start", pa.int32()),
    ("end", pa.int32()),
    ("sentence", pa.string()),
    ("value", pa.string()),
    ("value_num", pa.float64()),
    ("value_max", pa.float64()),
    ("currency", pa.string()),
    ("unit", pa.string()),
    ("object", pa.string()),
    ("qualifier", pa.string()),
    ("date_start", pa.date32()),
    ("date_end", pa.date32()),
    ("resolution", pa.string()),
    ("speaker", pa.string()),
    ("speech_verb", pa.string()),
    ("canonical", pa.string()),
    ("norm_key", pa.string()),
    ("confidence", pa.float32()),
    ("extractor", pa.string()),
]
NEW_FACT_COLUMNS = ("value_max", "currency", "object", "date_start", "date_end", "speech_verb", "canonical", "norm_key")
# The article-level outcome (``articles`` dataset): "extracted", "skipped_language" or "failed".
ARTICLE_COLUMNS: list[tuple[str, pa.DataType]] = [("facts_status", pa.string())]


def fact_json(fact: Fact) -> dict[str, Any]:
    """One fact as the CLI prints it: the contract keys, then the typed ones (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for key in CONTRACT_KEYS:
        value = getattr(fact, key)
        if key == "value" and fact.fact_type in NUMERIC_FACTS:
            value = fact.value_num
        out[key] = value
    for key in TYPED_KEYS:
        value = getattr(fact, key)
        out[key] = value.isoformat() if key in ("date_start", "date_end") and value is not None else value
    return out


def fact_row(fact: Fact) -> dict[str, Any]:
    """The dataset columns of one fact (``FACT_COLUMNS``), ready for ``storage.to_table``."""
    return {name: getattr(fact, name) for name, _ in FACT_COLUMNS}


def facts_table(facts: list[Fact]) -> pa.Table:
    """The facts as a pyarrow table with exactly ``FACT_COLUMNS`` (for tests and analysts' tools)."""
    schema = pa.schema([pa.field(name, dtype) for name, dtype in FACT_COLUMNS])
    columns = {name: [getattr(f, name) for f in facts] for name, _ in FACT_COLUMNS}
    return pa.Table.from_pydict(columns, schema=schema)
