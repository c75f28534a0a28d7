"""The newsroom's feeds, one per format a news ingester meets in the wild.

| path                           | format                         | carries                                  |
|--------------------------------|--------------------------------|------------------------------------------|
| /daily-herald/rss.xml          | RSS 2.0                        | every Daily Herald story                 |
| /daily-herald/index.rdf        | RSS 1.0 (RDF)                  | the newest 8, one link with utm_ params  |
| /metro-wire/atom.xml           | Atom 1.0                       | every Metro Wire story                   |
| /metro-wire/full.rss           | RSS 2.0 with content:encoded   | the newest 6, full text                  |
| /globe-post/feed.json          | JSON Feed 1.1                  | every Globe Post story but the archive   |
| /globe-post/news-sitemap.xml   | Google News sitemap            | every Globe Post story, archive included |
| /globe-post/sitemap-index.xml  | sitemap index (not registered) | the news sitemap                         |
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from html import escape

from newsflow.newsroom.content import SITES, Article, for_site
from newsflow.newsroom.pages import _iso, _visible_paragraphs

FEEDS = {
    "/daily-herald/rss.xml": ("daily-herald", "rss"),
    "/daily-herald/index.rdf": ("daily-herald", "rdf"),
    "/metro-wire/atom.xml": ("metro-wire", "atom"),
    "/metro-wire/full.rss": ("metro-wire", "rss"),
    "/globe-post/feed.json": ("globe-post", "jsonfeed"),
    "/globe-post/news-sitemap.xml": ("globe-post", "sitemap"),
}
TRACKING = "?utm_source=rss&utm_medium=feed&utm_campaign=newsroom"


def _visible(site: str, clock: datetime) -> list[Article]:
    return [a for a in for_site(site) if a.published(clock) <= clock]


def _rss(base: str, site: str, clock: datetime, full_text: bool) -> str:
    articles = _visible(site, clock)
    if full_text:
        articles = [a for a in articles if a.kind != "seed"][:6]
    items = []
    for a in articles:
        desc = escape(a.dek or (a.paragraphs[0] if a.paragraphs else a.title))
        item = (
            f"<item><title>{escape(a.title)}</title><link>{base}{a.path}</link>"
            f'<guid isPermaLink="true">{base}{a.path}</guid><pubDate>{format_datetime(a.published(clock))}</pubDate>'
            f"<dc:creator>{escape(a.author)}</dc:creator><category>{escape(a.section)}</category>"
            f"<description>{desc}</description>"
        )
        if full_text:
            html = "".join(f"<p>{escape(p)}</p>" for p in _visible_paragraphs(a))
            item += f"<content:encoded><![CDATA[{html}]]></content:encoded>"
        items.append(item + "</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{escape(SITES[site])}</title><link>{base}/{site}/</link><description>Latest stories from "
        f"{escape(SITES[site])}</description><language>en-us</language><lastBuildDate>{format_datetime(clock)}"
        f"</lastBuildDate><ttl>15</ttl>{''.join(items)}</channel></rss>\n"
    )


def _rdf(base: str, site: str, clock: datetime) -> str:
    articles = [a for a in _visible(site, clock) if a.kind == "standard"][:8]
    links = [f"{base}{a.path}" + (TRACKING if i == 0 else "") for i, a in enumerate(articles)]
    seq = "".join(f'<rdf:li rdf:resource="{escape(link)}"/>' for link in links)
    items = "".join(
        f'<item rdf:about="{escape(link)}"><title>{escape(a.title)}</title><link>{escape(link)}</link>'
        f"<description>{escape(a.dek)}</description><dc:date>{_iso(a.published(clock))}</dc:date>"
        f"<dc:creator>{escape(a.author)}</dc:creator></item>"
        for a, link in zip(articles, links, strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{base}/{site}/index.rdf"><title>{escape(SITES[site])}: top stories</title>'
        f"<link>{base}/{site}/</link><description>Top stories</description><items><rdf:Seq>{seq}</rdf:Seq></items>"
        f"</channel>{items}</rdf:RDF>\n"
    )


def _atom(base: str, site: str, clock: datetime) -> str:
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link rel="alternate" type="text/html" href="{base}{a.path}"/>'
        f"<id>tag:newsroom,2026:{a.site}/{a.slug}</id><published>{_iso(a.published(clock))}</published>"
        f"<updated>{_iso(a.updated(clock) or a.published(clock))}</updated>"
        f"<author><name>{escape(a.author or 'Metro Wire')}"
        f'</name></author><summary type="text">{escape(a.dek)}</summary></entry>'
        for a in _visible(site, clock)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{escape(SITES[site])}</title><link rel="self" href="{base}/{site}/atom.xml"/>'
        f'<link rel="alternate" href="{base}/{site}/"/><id>tag:newsroom,2026:{site}</id>'
        f"<updated>{_iso(clock)}</updated>{entries}</feed>\n"
    )


def _jsonfeed(base: str, site: str, clock: datetime) -> str:
    items = [
        {
            "id": f"{base}{a.path}",
            "url": f"{base}{a.path}",
            "title": a.title,
            "summary": a.dek,
            "date_published": _iso(a.published(clock)),
            "authors": [{"name": a.author}] if a.author else [],
            "tags": list(a.tags),
            "language": a.language,
        }
        for a in _visible(site, clock)
        if a.kind != "seed"
    ]
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": SITES[site],
        "home_page_url": f"{base}/{site}/",
        "feed_url": f"{base}/{site}/feed.json",
        "language": "en",
        "items": items,
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _sitemap(base: str, site: str, clock: datetime) -> str:
    urls = "".join(
        f"<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>{escape(SITES[site])}</news:name>"
        f"<news:language>{a.language}</news:language></news:publication><news:publication_date>"
        f"{_iso(a.published(clock))}</news:publication_date><news:title>{escape(a.title)}</news:title></news:news></url>"
        for a in _visible(site, clock)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>\n'
    )


CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "jsonfeed": "application/feed+json; charset=utf-8",
    "sitemap": "application/xml; charset=utf-8",
}


SITEMAP_INDEX = "/globe-post/sitemap-index.xml"  # served, not in feeds.yaml: it lists the news sitemap


def _sitemap_index(base: str, clock: datetime) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/globe-post/news-sitemap.xml</loc><lastmod>{_iso(clock)}</lastmod></sitemap>"
        "</sitemapindex>\n"
    )


def render_feed(path: str, base: str, clock: datetime) -> tuple[str, str] | None:
    """``(body, content_type)`` of the feed at ``path``, or None if there is no such feed."""
    if path == SITEMAP_INDEX:
        return _sitemap_index(base, clock), CONTENT_TYPES["sitemap"]
    if path not in FEEDS:
        return None
    site, kind = FEEDS[path]
    if kind == "rss":
        body = _rss(base, site, clock, full_text=path.endswith("full.rss"))
    elif kind == "rdf":
        body = _rdf(base, site, clock)
    elif kind == "atom":
        body = _atom(base, site, clock)
    elif kind == "jsonfeed":
        body = _jsonfeed(base, site, clock)
    else:
        body = _sitemap(base, site, clock)
    return body, CONTENT_TYPES[kind]


def feeds_yaml(base: str, site_bases: Mapping[str, str] | None = None) -> str:
    """A ``feeds.yaml`` registering every newsroom feed at ``base`` (e.g. http://127.0.0.1:8765), or a
    site's feeds at ``site_bases[site]`` (one newsroom per loopback address: several hosts)."""
    lines = [
        "# The sample newsroom's feeds (generated by `newsflow newsroom --write-feeds`).",
        "fetch:",
        "  allow_networks: [127.0.0.0/8, '::1/128']  # the newsroom runs on loopback",
        "feeds:",
    ]
    for path, (site, kind) in FEEDS.items():
        name = path.strip("/").replace("/", "-").rsplit(".", 1)[0]
        host = (site_bases or {}).get(site, base)
        lines.append(f"  - {{name: {name}, url: '{host}{path}', site: {site}, kind: {kind}}}")
    return "\n".join(lines) + "\n"
