"""A run fed the twenty crafted bad articles among good ones: exactly those land in ``quarantine``
with the right reasons, the rest are published with their facts; a batch failure publishes nothing."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from newsflow import storage
from newsflow.config import Settings
from newsflow.context import RunContext
from newsflow.cycle import stage
from newsflow.validate.batch import BatchFailure
from tests.conftest import HOUR, stage_no_fetches
from tests.validate.conftest import article
from tests.validate.test_crafted_batch import BAD, crafted_rows

AFTER_EXTRACT = ("validate", "dedup", "facts", "publish")


def _run_from_extracted(ctx: RunContext, extracted: pa.Table) -> None:
    """The conveyor from the extract stage's output on: real GX, real spaCy, a real commit."""
    ctx.save("extracted", extracted)
    stage_no_fetches(ctx)
    for name in AFTER_EXTRACT:
        stage(name).run(ctx)


def test_a_run_quarantines_exactly_the_crafted_articles_and_publishes_the_rest(real_bodies, tmp_path):
    good = [article(i, body) for i, body in enumerate(real_bodies[:24])]
    bad = crafted_rows(good)
    rows = [row for pair in zip(good, bad + [None] * len(good), strict=False) for row in pair if row is not None]
    ctx = RunContext.create(HOUR, Settings(data_root=tmp_path / "data", feeds_file=tmp_path / "feeds.yaml"))
    _run_from_extracted(ctx, storage.to_table("articles", rows))

    quarantine = storage.read_partition(ctx.data_root, "quarantine", HOUR)
    articles = storage.read_partition(ctx.data_root, "articles", HOUR)
    facts = storage.read_partition(ctx.data_root, "facts", HOUR)
    assert quarantine is not None and articles is not None and facts is not None
    by_name = {json.loads(q["row"])["raw_ref"][4:]: q for q in quarantine.to_pylist() if q["stage"] == "validate"}
    assert set(by_name) == set(BAD) and quarantine.num_rows == len(BAD)
    for name, (_, required, optional) in BAD.items():
        reasons = set(by_name[name]["failed_expectations"])
        assert required <= reasons <= required | optional, (name, reasons)
    assert sorted(articles.column("article_id").to_pylist()) == sorted(r["article_id"] for r in good)
    assert set(facts.column("article_id").to_pylist()) <= set(articles.column("article_id").to_pylist())
    assert facts.num_rows > 0


def test_a_batch_failure_publishes_nothing(real_bodies, tmp_path):
    """A staged table whose schema is not the dataset's (here facts missing a column) fails publish
    with a message, and no dataset of the hour is published."""
    ctx = RunContext.create(HOUR, Settings(data_root=tmp_path / "data", feeds_file=tmp_path / "feeds.yaml"))
    extracted = storage.to_table("articles", [article(i, body) for i, body in enumerate(real_bodies[:3])])
    ctx.save("extracted", extracted)
    stage_no_fetches(ctx)
    for name in AFTER_EXTRACT[:-1]:
        stage(name).run(ctx)
    facts = ctx.load("facts")
    ctx.save("facts", facts.drop_columns(["value_num"]))
    with pytest.raises(BatchFailure, match="facts"):
        stage("publish").run(ctx)
    for dataset in storage.SCHEMAS:
        assert storage.read_partition(ctx.data_root, dataset, HOUR) is None, dataset
