"""OPML in and out: folders become tags, odd attribute casing is read, a round trip keeps every feed."""

from __future__ import annotations

import pytest

from newsflow.sources.opml import OpmlError, read_opml, to_specs, write_opml
from newsflow.sources.registry import FeedSpec

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>My subscriptions</title></head><body>
  <outline text="News" title="News">
    <outline text="Daily Herald" title="Daily Herald" type="rss" xmlUrl="https://herald.example/rss.xml"
             htmlUrl="https://www.herald.example/"/>
    <outline text="Local">
      <outline text="Metro" type="rss" xmlurl="https://metro.example/atom.xml" category="/business,markets"/>
    </outline>
  </outline>
  <outline text="Duplicate" xmlUrl="https://herald.example/rss.xml"/>
  <outline text="Not a feed" htmlUrl="https://example.com/"/>
  <outline text="Odd scheme" xmlUrl="javascript:alert(1)"/>
</body></opml>"""


def test_read_reader_export():
    feeds = read_opml(READER_EXPORT)
    assert [f.url for f in feeds] == ["https://herald.example/rss.xml", "https://metro.example/atom.xml"]
    assert feeds[0].title == "Daily Herald" and feeds[0].tags == ("News",)
    assert feeds[1].tags == ("News", "Local", "business", "markets")
    specs = to_specs(feeds, taken={"daily-herald"})
    assert [s.name for s in specs] == ["daily-herald-2", "metro"]
    assert specs[0].site == "herald.example" and specs[1].site == "metro.example"


def test_round_trip():
    feeds = [
        FeedSpec("a", "https://a.example/rss", "a", tags=("x", "y")),
        FeedSpec("b", "https://b.example/feed.json", "https://b.example/", enabled=False),
    ]
    back = read_opml(write_opml(feeds))
    assert [(f.url, f.tags) for f in back] == [
        ("https://a.example/rss", ("x", "y")),
        ("https://b.example/feed.json", ()),
    ]
    assert back[1].site_url == "https://b.example/"


@pytest.mark.parametrize("doc", [b"not xml at all <", b"<rss version='2.0'/>", b""])
def test_not_opml_is_a_clear_error(doc):
    with pytest.raises(OpmlError):
        read_opml(doc)


def test_entities_are_not_expanded():
    doc = b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    doc += b'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example/rss"/></body></opml>'
    feeds = read_opml(doc)
    assert all("root:" not in (f.title or "") for f in feeds)
