"""Every page of the article-extraction benchmark goes through without raising (robustness, not scores:
scores are bench/extract.py's job)."""

import gzip
from pathlib import Path

import pytest

from newsflow.extract import extract_html
from tests.conftest import SHARED

CORPUS = SHARED / "corpora" / "article-extraction-benchmark" / "html"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_no_benchmark_page_raises():
    pages = sorted(CORPUS.glob("*.html.gz"))
    assert len(pages) == 181
    with_body = 0
    for path in pages:
        ex = extract_html(gzip.decompress(path.read_bytes()), None)
        assert isinstance(ex.body, str) and ex.error is None, Path(path).name
        with_body += bool(ex.body)
    assert with_body >= 175
