"""The history index: what every committed hour contributed, shared across runs.

Stories (exact and near copies, versions) come from ``store.DedupIndex``; this index answers the
question the near-duplicate index cannot, "does another committed hour, earlier *or later*, hold
this URL?", and records which version of each hour the derived state was applied from.

Kept in SQLite under ``<data>/state/dedup.sqlite``. Each canonical URL is remembered per logical
hour that committed it (published or quarantined), with the article and story it belonged to.
The index is *derived* state: :mod:`newsflow.state` replaces an hour's rows whenever that hour
commits a new version (a rerun replaces its contribution instead of adding to it), and the whole
index can be rebuilt from the published datasets.

:meth:`HistoryIndex.elsewhere` looks in any other hour: an article belongs to the hour that first
committed it, so neither a later hour nor a backfill of an earlier one publishes it again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from newsflow.publish import hour_key

SCHEMA_VERSION = "2"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    kind TEXT NOT NULL,          -- 'url'
    key TEXT NOT NULL,
    hour TEXT NOT NULL,          -- the logical hour that committed it (2026-11-25T10)
    article_id TEXT NOT NULL,
    story_id TEXT NOT NULL,
    PRIMARY KEY (kind, key, hour)
);
CREATE INDEX IF NOT EXISTS seen_by_hour ON seen(hour);
CREATE TABLE IF NOT EXISTS applied (
    hour TEXT PRIMARY KEY,       -- a committed hour whose contribution is in ``seen``
    version TEXT NOT NULL        -- the committed version it came from
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Entry = tuple[str, str, str]  # (key, article_id, story_id)


class HistoryIndex:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    def _migrate(self) -> None:
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "seen" in tables and "applied" not in tables:
            # The index of the walking skeleton (one row per key, no hours): derived state, so it
            # is dropped and rebuilt from the published hours by the next reconcile.
            self.db.execute("DROP TABLE seen")
        self.db.executescript(_SCHEMA)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def elsewhere(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str, str]]:
        """``key -> (article_id, story_id, hour)`` of the earliest *other* hour that committed it."""
        unique = list(set(keys))
        found: dict[str, tuple[str, str, str]] = {}
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT key, article_id, story_id, hour FROM seen WHERE kind=? AND key IN ({marks}) AND hour <> ? "
                "ORDER BY hour DESC",
                [kind, *chunk, hour_key(hour)],
            )
            found.update({k: (a, s, h) for k, a, s, h in rows})  # DESC: the earliest hour wins
        return found

    def applied(self) -> dict[str, str]:
        """``hour -> version`` of every hour whose contribution is in the index."""
        return dict(self.db.execute("SELECT hour, version FROM applied"))

    def replace_hour(self, hour: str, version: str, entries: Mapping[str, Sequence[Entry]]) -> None:
        """Make the index hold exactly ``entries`` for ``hour`` (from ``version``), in one transaction."""
        with self.db:
            self.db.execute("DELETE FROM seen WHERE hour=?", (hour,))
            for kind, items in entries.items():
                self.db.executemany(
                    "INSERT OR IGNORE INTO seen(kind, key, hour, article_id, story_id) VALUES (?,?,?,?,?)",
                    [(kind, k, hour, a, s) for k, a, s in items],
                )
            self.db.execute("INSERT OR REPLACE INTO applied(hour, version) VALUES (?, ?)", (hour, version))

    def drop_hour(self, hour: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM seen WHERE hour=?", (hour,))
            self.db.execute("DELETE FROM applied WHERE hour=?", (hour,))
