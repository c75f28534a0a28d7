"""Content-addressed, compressed store for raw feed documents and page HTML.

Keeping every byte we downloaded (once, keyed by its sha256) lets backfills and reprocessing
re-derive an hour without touching the network, and makes identical downloads free to store.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import zstandard

from newsflow.storage import atomic_write_bytes, current_umask

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

    def writer(self) -> RawWriter:
        """A sink for a body that arrives in chunks: ``write`` each, then ``commit()`` for the ref.

        Nothing but the compressor's window is held in memory, so a large download costs disk, not RAM.
        """
        return RawWriter(self)

    def put_stream(self, chunks: Iterable[bytes]) -> str:
        """``put`` for an iterable of chunks; the ref is the same as ``put(b"".join(chunks))``."""
        with self.writer() as sink:
            for chunk in chunks:
                sink.write(chunk)
            return sink.commit()

    def get(self, ref: str) -> bytes:
        if not ref.startswith(_PREFIX):
            raise ValueError(f"not a raw ref: {ref!r} (expected 'sha256:<hex>')")
        digest = ref[len(_PREFIX) :]
        path = self._path(digest)
        if not path.exists():
            raise FileNotFoundError(f"raw object {ref} is missing under {self.root}; was the raw zone moved?")
        # A decompressobj also reads frames written by ``writer()``, whose header has no content size.
        data = zstandard.ZstdDecompressor().decompressobj().decompress(path.read_bytes())
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"raw object {ref} is corrupt (hash mismatch): delete {path} and refetch")
        return data

    def __contains__(self, ref: str) -> bool:
        return ref.startswith(_PREFIX) and self._path(ref[len(_PREFIX) :]).exists()


class RawWriter:
    """Streams bytes into a temporary zstd file while hashing them; ``commit`` names it by its sha256.

    Used as a context manager, an uncommitted writer removes its temporary file on exit.
    """

    def __init__(self, store: RawStore) -> None:
        self.store = store
        self.size = 0
        self._hash = hashlib.sha256()
        tmp_dir = store.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="stream-")
        os.fchmod(fd, 0o666 & ~current_umask())  # raw files are for analysts' group to read, like datasets
        self._tmp = Path(name)
        self._file: IO[bytes] = os.fdopen(fd, "wb")
        self._zst = zstandard.ZstdCompressor(level=6).stream_writer(self._file, closefd=False)
        self._done = False

    def write(self, chunk: bytes) -> None:
        if self._done:
            raise ValueError("raw writer already committed or aborted")
        self._hash.update(chunk)
        self._zst.write(chunk)
        self.size += len(chunk)

    def commit(self) -> str:
        """Finish the file and move it to its content address (dropping it if that object exists)."""
        if self._done:
            raise ValueError("raw writer already committed or aborted")
        self._zst.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._done = True
        digest = self._hash.hexdigest()
        path = self.store._path(digest)
        if path.exists():
            self._tmp.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._tmp, path)
        return _PREFIX + digest

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._zst.close()
            self._file.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()
