"""A full cycle over pages we did not write: a third of the extraction benchmark's 181 real pages,
served on loopback behind a news sitemap. Nothing may crash and nothing may be lost: every page
ends up in ``articles`` or in ``quarantine`` with its reasons.
"""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsflow import storage
from newsflow.config import Settings
from newsflow.cycle import RunContext, run_cycle
from tests.conftest import HOUR, SHARED

CORPUS = SHARED / "corpora" / "article-extraction-benchmark"


@pytest.fixture(scope="module")
def corpus_server():
    keys = sorted(json.loads((CORPUS / "ground-truth.json").read_text()))[::3]
    pages = {f"/page/{k}.html": CORPUS / "html" / f"{k}.html.gz" for k in keys}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            if self.path == "/sitemap.xml":
                host = f"http://127.0.0.1:{self.server.server_address[1]}"
                urls = "".join(f"<url><loc>{host}{p}</loc><lastmod>2026-11-25T09:00:00Z</lastmod></url>" for p in pages)
                body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
            elif self.path in pages:
                body = gzip.decompress(Path(pages[self.path]).read_bytes())
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml" if self.path.endswith(".xml") else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, len(pages)
    server.shutdown()
    server.server_close()


def test_cycle_over_real_pages(corpus_server, tmp_path):
    server, n_pages = corpus_server
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "fetch: {allow_networks: [127.0.0.0/8]}\nfeeds:\n"
        f"  - {{name: benchmark, url: 'http://127.0.0.1:{server.server_address[1]}/sitemap.xml', site: mixed}}\n"
    )
    ctx = RunContext.create(HOUR, Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds))
    run_cycle(ctx)
    articles = storage.read_partition(ctx.data_root, "articles", HOUR).to_pylist()
    quarantine = storage.read_partition(ctx.data_root, "quarantine", HOUR).to_pylist()
    runs = storage.read_partition(ctx.data_root, "runs", HOUR).to_pylist()
    assert not [r for r in runs if r["error_class"]], "no page of the benchmark should fail to fetch or extract"
    assert len(articles) + len(quarantine) == n_pages  # nothing lost
    assert len(articles) >= 0.9 * n_pages
    assert sum(a["published"] is not None for a in articles) >= 0.5 * len(articles)
    assert all(a["published"] is None or a["published"].year >= 1990 for a in articles)
    assert len({a["language"] for a in articles}) >= 3
    bodies = {a["article_id"]: a["body"] for a in articles}
    facts = storage.read_partition(ctx.data_root, "facts", HOUR).to_pylist()
    assert len(facts) > 20 * len([a for a in articles if a["language"] == "en"]) / 2
    for fact in facts:
        assert bodies[fact["article_id"]][fact["start"] : fact["end"]] == fact["text"]
