import pytest

from newsflow.raw import RawStore


def test_put_get_roundtrip_is_content_addressed(tmp_path):
    store = RawStore(tmp_path)
    ref = store.put(b"<rss>hello</rss>")
    assert ref.startswith("sha256:") and store.put(b"<rss>hello</rss>") == ref
    assert store.get(ref) == b"<rss>hello</rss>"
    assert ref in store
    assert len(list(tmp_path.rglob("*.zst"))) == 1


def test_corruption_is_detected(tmp_path):
    store = RawStore(tmp_path)
    ref = store.put(b"abc")
    path = next(tmp_path.rglob("*.zst"))
    import zstandard

    path.write_bytes(zstandard.ZstdCompressor().compress(b"abd"))
    with pytest.raises(ValueError, match="corrupt"):
        store.get(ref)


def test_missing_and_bad_refs(tmp_path):
    store = RawStore(tmp_path)
    with pytest.raises(FileNotFoundError):
        store.get("sha256:" + "0" * 64)
    with pytest.raises(ValueError):
        store.get("md5:abc")
