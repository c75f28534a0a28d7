"""The data dictionary: a description for every column, and docs/datasets.md as generated."""

from __future__ import annotations

from newsflow import schema_docs, storage


def test_every_column_of_every_dataset_has_a_description():
    assert schema_docs.missing_descriptions() == []
    assert schema_docs.stale_descriptions() == []
    assert set(schema_docs.DATASETS) == set(storage.SCHEMAS)


def test_the_newest_documented_version_is_the_schema_version():
    assert max(schema_docs.VERSIONS) == storage.SCHEMA_VERSION


def test_docs_datasets_md_is_up_to_date():
    assert schema_docs.DOCS_FILE.read_text(encoding="utf-8") == schema_docs.render(), (
        "docs/datasets.md is out of date: run python -m newsflow.schema_docs"
    )


def test_the_dictionary_lists_each_column_with_its_type():
    text = schema_docs.render()
    for name, schema in storage.SCHEMAS.items():
        assert f"## `{name}`" in text
        for field in schema:
            assert f"| `{field.name}` |" in text
    assert "| `word_count` | int32 | yes |" in text
    assert "| `dt` | date32" in text


def test_a_column_without_a_description_is_reported(monkeypatch):
    extended = storage.ARTICLES.append(storage.pa.field("new_column", storage.pa.string()))
    monkeypatch.setitem(storage.SCHEMAS, "articles", extended)
    assert schema_docs.missing_descriptions() == ["articles.new_column"]
    assert schema_docs.main(["--check"]) == 1


def test_check_mode(tmp_path):
    out = tmp_path / "datasets.md"
    assert schema_docs.main(["--check", "--output", str(out)]) == 1
    assert schema_docs.main(["--output", str(out)]) == 0
    assert schema_docs.main(["--check", "--output", str(out)]) == 0
