"""Imported by the pool's fork server before it forks workers: everything a worker needs, loaded once.

Importing trafilatura and loading the language model take about two seconds; done here, every
worker forked from the server starts with them in (copy-on-write) memory.
"""

from __future__ import annotations

from newsflow.extract import core as _core  # noqa: F401 - imported for its side effect: modules loaded
from newsflow.extract.language import load_model

load_model()
