"""Content-Encoding decoding in bounded pieces, and charset detection for documents that lie."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.fetch.charset import decode_document
from newsflow.fetch.decode import PIECE, BodyDecoder, DecodeError, UnsupportedEncoding


def _decode(encoding: str | None, data: bytes, chunk: int = 1000) -> list[bytes]:
    decoder = BodyDecoder(encoding)
    pieces = []
    for i in range(0, len(data), chunk):
        pieces.extend(decoder.feed(data[i : i + chunk]))
    pieces.extend(decoder.flush())
    return pieces


@given(st.binary(max_size=5000), st.sampled_from(["gzip", "deflate", "raw-deflate", "br", None]))
def test_round_trip_any_bytes(payload, encoding):
    if encoding == "gzip":
        data = gzip.compress(payload)
    elif encoding == "deflate":
        data = zlib.compress(payload)
    elif encoding == "raw-deflate":
        comp = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data, encoding = comp.compress(payload) + comp.flush(), "deflate"
    elif encoding == "br":
        data = brotli.compress(payload)
    else:
        data = payload
    assert b"".join(_decode(encoding, data, chunk=97)) == payload


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_output_comes_in_bounded_pieces(encoding):
    payload = bytes(5 * 1024 * 1024)
    data = gzip.compress(payload) if encoding == "gzip" else brotli.compress(payload)
    pieces = _decode(encoding, data, chunk=len(data))  # the whole bomb in one network chunk
    # zlib stops at exactly PIECE; brotli's output buffer may overshoot its limit by one growth step.
    assert pieces and max(len(p) for p in pieces) <= 2 * PIECE and sum(map(len, pieces)) == len(payload)


def test_stacked_encodings_decode_in_reverse():
    payload = b"hello " * 1000
    data = brotli.compress(gzip.compress(payload))  # "gzip, br": gzip applied first
    assert b"".join(_decode("gzip, br", data)) == payload


def test_concatenated_gzip_members():
    assert b"".join(_decode("gzip", gzip.compress(b"ab") + gzip.compress(b"cd"))) == b"abcd"


@pytest.mark.parametrize("encoding", ["zstd", "compress", "x-bzip2", "utf-8"])
def test_unrequested_encodings_are_refused(encoding):
    with pytest.raises(UnsupportedEncoding):
        BodyDecoder(encoding)


def test_corrupt_data_is_a_decode_error():
    with pytest.raises(DecodeError):
        _decode("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage")


@pytest.mark.parametrize(
    ("text", "encoding", "content_type"),
    [
        ("Caf\u00e9 \u201cquoted\u201d", "cp1252", "text/html; charset=utf-8"),  # says UTF-8, is not
        ("Der B\u00fcrgermeister hat die Stra\u00dfe gesperrt.", "cp1252", "text/xml; charset=UTF-8"),
        ("Caf\u00e9 na\u00efve", "utf-8", "text/html; charset=iso-8859-1"),  # says Latin-1, is UTF-8
        ("<meta charset=windows-1251><p>Привет, как дела?</p>", "cp1251", None),  # the document's own label
        ("Привет, как дела? Всё хорошо, спасибо.", "cp1251", "text/html; charset=utf-8"),  # detected
        ("\ufeff<p>x \u00e9</p>", "utf-8", "text/html; charset=latin-1"),  # the BOM wins
        ("<p>Grüße</p>", "utf-16-le", None),  # UTF-16 without a BOM
        ("plain ascii", "ascii", "text/html; charset=utf-16"),  # an impossible label is ignored
    ],
)
def test_lying_documents_are_decoded(text, encoding, content_type):
    decoded = decode_document(text.encode(encoding), content_type)
    assert decoded.text == text.removeprefix("\ufeff"), (decoded.encoding, decoded.source)


def test_cp1252_that_claims_utf8_reads_right():
    text = decode_document("“Smart” quotes – café".encode("cp1252"), "text/html; charset=UTF-8").text
    assert text == "“Smart” quotes – café"


@given(st.binary(max_size=2000), st.sampled_from([None, "text/html; charset=utf-8", "text/xml; charset=bogus"]))
def test_decoding_never_raises(body, content_type):
    assert isinstance(decode_document(body, content_type).text, str)
