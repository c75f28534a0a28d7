"""The raw store's streaming writer: same refs as ``put``, nothing left behind on abort."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.raw import RawStore


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=8))
def test_streamed_and_put_objects_are_the_same(tmp_path_factory, chunks):
    store = RawStore(tmp_path_factory.mktemp("raw"))
    ref = store.put_stream(chunks)
    assert ref == store.put(b"".join(chunks)) and store.get(ref) == b"".join(chunks)


def test_abort_leaves_nothing(tmp_path):
    store = RawStore(tmp_path)
    with store.writer() as sink:
        sink.write(b"partial")
    assert not list((tmp_path / ".tmp").iterdir()) and not list(tmp_path.rglob("*.zst"))
