"""Content-addressed, compressed store for raw feed documents and page HTML.

Keeping every byte we downloaded (once, keyed by its sha256) lets backfills and reprocessing
re-derive an hour without touching the network, and makes identical downloads free to store.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import zstandard

from newsflow.storage import atomic_write_bytes

_PREFIX = "sha256:"


class RawStore:
    """``put`` bytes, get back a ref like ``sha256:ab12…``; ``get`` the bytes back from a ref."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / f"{digest}.zst"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            atomic_write_bytes(path, zstandard.ZstdCompressor(level=6).compress(data))
        return _PREFIX + digest

    def get(self, ref: str) -> bytes:
        if not ref.startswith(_PREFIX):
            raise ValueError(f"not a raw ref: {ref!r} (expected 'sha256:<hex>')")
        digest = ref[len(_PREFIX) :]
        path = self._path(digest)
        if not path.exists():
            raise FileNotFoundError(f"raw object {ref} is missing under {self.root}; was the raw zone moved?")
        data = zstandard.ZstdDecompressor().decompress(path.read_bytes())
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"raw object {ref} is corrupt (hash mismatch): delete {path} and refetch")
        return data

    def __contains__(self, ref: str) -> bool:
        return ref.startswith(_PREFIX) and self._path(ref[len(_PREFIX) :]).exists()
