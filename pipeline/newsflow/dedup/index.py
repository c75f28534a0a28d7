"""The history index: what every earlier hour has already published, shared across runs.

Superseded by ``store.DedupIndex`` (URLs, content hashes and near-duplicates, with atomic
per-hour commits); kept only while ``cycle.py`` still calls it.

Kept in SQLite under ``<data>/state/dedup.sqlite``. Each key (a canonical URL or a content hash)
remembers the article it first belonged to and the *logical hour* it was first seen in. Lookups
only trust entries from earlier hours, so rerunning an hour sees exactly what it saw the first
time and produces the same rows; backfilling an older hour moves first-sightings earlier.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    kind TEXT NOT NULL,          -- 'url' or 'content'
    key TEXT NOT NULL,
    article_id TEXT NOT NULL,
    story_id TEXT NOT NULL,
    first_hour TEXT NOT NULL,    -- ISO logical hour (UTC) it was first published in
    PRIMARY KEY (kind, key)
);
"""


class HistoryIndex:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def earlier(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str]]:
        """``key -> (article_id, story_id)`` for keys first seen strictly before ``hour``."""
        keys = list(set(keys))
        found: dict[str, tuple[str, str]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT key, article_id, story_id FROM seen WHERE kind=? AND key IN ({marks}) AND first_hour < ?",
                [kind, *chunk, hour.isoformat()],
            )
            found.update({k: (a, s) for k, a, s in rows})
        return found

    def record(self, kind: str, items: Iterable[tuple[str, str, str]], hour: datetime) -> None:
        """Remember ``(key, article_id, story_id)`` as seen in ``hour``, keeping the earliest sighting."""
        with self.db:
            self.db.executemany(
                "INSERT INTO seen(kind, key, article_id, story_id, first_hour) VALUES (?,?,?,?,?) "
                "ON CONFLICT(kind, key) DO UPDATE SET article_id=excluded.article_id, "
                "story_id=excluded.story_id, first_hour=excluded.first_hour "
                "WHERE excluded.first_hour < seen.first_hour",
                [(kind, k, a, s, hour.isoformat()) for k, a, s in items],
            )
