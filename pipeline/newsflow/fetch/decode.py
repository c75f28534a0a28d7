"""Content-Encoding decoding that can be stopped after any 64 KiB of output.

A 32 KB gzip response can decode to gigabytes. Decoding a whole network chunk before counting
lets one chunk blow up memory, so every decoder here produces at most ``PIECE`` bytes per step
(zlib's ``max_length``, brotli's ``output_buffer_limit``) and the caller checks its byte cap
between pieces. Only the encodings we ask for (gzip, deflate, br) are decoded; anything else
(zstd, compress, a typo) is refused rather than guessed at.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

from newsflow.fetch.settings import ENCODINGS

PIECE = 64 * 1024


class UnsupportedEncoding(Exception):
    """The response uses a Content-Encoding we did not ask for."""


class DecodeError(Exception):
    """The body is not valid data in its declared Content-Encoding."""


class _Zlib:
    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self._d = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and not self.gzip and data:
            self._started = True
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            first = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0 if len(data) > 1 else True
            if not first:
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            yield from self._drain(data)
        except zlib.error as exc:
            raise DecodeError(f"invalid {'gzip' if self.gzip else 'deflate'} data: {exc}") from exc

    def _drain(self, data: bytes) -> Iterator[bytes]:
        while True:
            if self._d.eof:
                extra = self._d.unused_data + data
                if not self.gzip or not extra.startswith(b"\x1f\x8b"):
                    return  # trailing bytes after the stream are ignored, as browsers do
                self._d = zlib.decompressobj(zlib.MAX_WBITS | 16)  # a further gzip member
                data = extra
            if not data:
                return
            out = self._d.decompress(data, PIECE)
            if out:
                yield out
            data = self._d.unconsumed_tail

    def flush(self) -> Iterator[bytes]:
        try:
            out = self._d.flush(PIECE) if not self._d.eof else b""
        except zlib.error as exc:
            raise DecodeError(f"truncated {'gzip' if self.gzip else 'deflate'} data: {exc}") from exc
        if out:
            yield out


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._d.process(data, output_buffer_limit=PIECE)
            if out:
                yield out
            yield from self._pending()
        except brotli.error as exc:
            raise DecodeError(f"invalid brotli data: {exc}") from exc

    def _pending(self) -> Iterator[bytes]:
        """Output the decoder holds back once the limit is reached (only empty input may follow)."""
        while not self._d.is_finished():
            out = self._d.process(b"", output_buffer_limit=PIECE)
            if not out:
                return
            yield out

    def flush(self) -> Iterator[bytes]:
        try:
            yield from self._pending()
        except brotli.error as exc:
            raise DecodeError(f"truncated brotli data: {exc}") from exc


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), PIECE):
            yield data[start : start + PIECE]

    def flush(self) -> Iterator[bytes]:
        yield from ()


_Decoder = _Zlib | _Brotli | _Identity


def _one(name: str) -> _Decoder:
    if name in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if name == "deflate":
        return _Zlib(gzip=False)
    if name == "br":
        return _Brotli()
    if name in ("identity", ""):
        return _Identity()
    raise UnsupportedEncoding(
        f"Content-Encoding {name!r} was not requested (we accept {', '.join(ENCODINGS)}) and is not decoded"
    )


class BodyDecoder:
    """Decodes a possibly stacked Content-Encoding (``gzip, br`` = gzip first, then br) piece by piece."""

    def __init__(self, content_encoding: str | None) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        # Applied in the order listed, so decoded in reverse.
        self._chain = [_one(n) for n in reversed(names)] or [_Identity()]

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for i, decoder in enumerate(self._chain):
            for piece in decoder.flush():
                yield from self._through(i + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._chain):
            yield data
            return
        for piece in self._chain[index].feed(data):
            yield from self._through(index + 1, piece)
