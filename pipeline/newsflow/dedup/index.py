"""The history index: what every committed hour contributed, shared across runs.

Stories (exact and near copies, versions) come from ``store.DedupIndex``; this index answers the
question the near-duplicate index cannot, "which committed hours, earlier *or later*, hold this
URL, and as which version?", and records which version of each hour the derived state was
applied from.

Kept in SQLite under ``<data>/state/dedup.sqlite``. Each canonical URL is remembered per logical
hour that committed it (published or quarantined), with the article, story and article version.
The index is *derived* state: :mod:`newsflow.state` replaces an hour's rows whenever that hour
commits a new version (a rerun replaces its contribution instead of adding to it), and the whole
index can be rebuilt from the published datasets.

:meth:`HistoryIndex.holders` gives, per URL, the nearest earlier hour that holds it or, when none
does, the earliest later one: :func:`belongs_elsewhere` says an hour must not publish a URL whose
first version a later hour holds (a backfill of an earlier hour does not double it), while a URL
an earlier hour holds goes on to dedup, which makes a changed body a new version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsflow.publish import hour_key

SCHEMA_VERSION = "3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    kind TEXT NOT NULL,          -- 'url'
    key TEXT NOT NULL,
    hour TEXT NOT NULL,          -- the logical hour that committed it (2026-11-25T10)
    article_id TEXT NOT NULL,
    story_id TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,  -- the article version the hour holds (quarantined rows: 1)
    PRIMARY KEY (kind, key, hour)
);
CREATE INDEX IF NOT EXISTS seen_by_hour ON seen(hour);
CREATE TABLE IF NOT EXISTS applied (
    hour TEXT PRIMARY KEY,       -- a committed hour whose contribution is in ``seen``
    version TEXT NOT NULL        -- the committed version it came from
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Entry = tuple[str, str, str, int]  # (key, article_id, story_id, version)


@dataclass(frozen=True)
class Holder:
    """A committed hour that holds a URL (see :meth:`HistoryIndex.holders`)."""

    hour: str  # hour key, 2026-11-25T10
    article_id: str
    story_id: str
    version: int
    earlier: bool  # the hour is before the one asking


def belongs_elsewhere(holder: Holder | None) -> bool:
    """Whether an hour must leave a URL to another hour: no earlier hour holds it and a later one holds
    its first version (an article belongs to the hour that first committed it). A later hour holding
    only later versions means the asking hour is the one that first committed it (a rerun)."""
    return holder is not None and not holder.earlier and holder.version <= 1


class HistoryIndex:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    def _migrate(self) -> None:
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = None
        if "meta" in tables:
            version = next(iter(self.db.execute("SELECT value FROM meta WHERE name='schema_version'")), (None,))[0]
        if "seen" in tables and version != SCHEMA_VERSION:
            # An index of an older layout: derived state, so it is dropped, and with ``applied``
            # emptied the next reconcile applies every committed hour again.
            self.db.executescript("DROP TABLE seen; DROP TABLE IF EXISTS applied;")
        self.db.executescript(_SCHEMA)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def holders(self, keys: Iterable[str], hour: datetime) -> dict[str, Holder]:
        """Per key that another committed hour holds: the latest hour before ``hour`` holding it, or
        when no earlier hour does, the earliest later one."""
        unique = list(set(keys))
        found: dict[str, Holder] = {}
        here = hour_key(hour)
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT key, hour, article_id, story_id, version FROM seen WHERE kind='url' AND key IN ({marks}) "
                "AND hour <> ? ORDER BY hour",
                [*chunk, here],
            )
            for key, held, article_id, story_id, version in rows:
                holder = Holder(held, article_id, story_id, int(version), held < here)
                current = found.get(key)
                if current is None or holder.earlier:  # ascending: the last earlier one, else the first later
                    found[key] = holder
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
                    "INSERT OR IGNORE INTO seen(kind, key, hour, article_id, story_id, version) VALUES (?,?,?,?,?,?)",
                    [(kind, k, hour, a, s, v) for k, a, s, v in items],
                )
            self.db.execute("INSERT OR REPLACE INTO applied(hour, version) VALUES (?, ?)", (hour, version))

    def drop_hour(self, hour: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM seen WHERE hour=?", (hour,))
            self.db.execute("DELETE FROM applied WHERE hour=?", (hour,))
