"""Settings of the facts stage: batching, processes, and the limits that keep one article from
taking the stage down.

Read from the environment with :meth:`FactsSettings.from_env` (names below); tests and the
benchmark pass explicit values.

| env var | default | meaning |
| --- | --- | --- |
| ``NEWSFLOW_FACTS_PROCESSES`` | 1 | worker processes for parsing (2 on a 2-core box doubles throughput) |
| ``NEWSFLOW_FACTS_BATCH_SIZE`` | 32 | texts per ``nlp.pipe`` batch |
| ``NEWSFLOW_FACTS_CHUNK_CHARS`` | 50000 | longer bodies are parsed in paragraph-aligned chunks of at most this size |
| ``NEWSFLOW_FACTS_MAX_CHARS`` | 1000000 | longer bodies fail (``facts_status = failed``) instead of being parsed |
| ``NEWSFLOW_FACTS_START_METHOD`` | fork | multiprocessing start method for the workers (fork, forkserver, spawn) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from newsflow.config import _env_number


@dataclass(frozen=True)
class FactsSettings:
    n_process: int = 1
    batch_size: int = 32
    chunk_chars: int = 50_000
    max_chars: int = 1_000_000
    start_method: str = "fork"
    # Below this many articles per process, starting workers costs more than it saves.
    min_articles_per_process: int = 8

    @classmethod
    def from_env(cls) -> FactsSettings:
        return cls(
            n_process=max(1, _env_number("NEWSFLOW_FACTS_PROCESSES", cls.n_process, int)),
            batch_size=max(1, _env_number("NEWSFLOW_FACTS_BATCH_SIZE", cls.batch_size, int)),
            chunk_chars=max(1000, _env_number("NEWSFLOW_FACTS_CHUNK_CHARS", cls.chunk_chars, int)),
            max_chars=max(1000, _env_number("NEWSFLOW_FACTS_MAX_CHARS", cls.max_chars, int)),
            start_method=os.environ.get("NEWSFLOW_FACTS_START_METHOD") or cls.start_method,
        )
