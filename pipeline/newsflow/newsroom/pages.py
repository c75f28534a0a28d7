"""Article pages as real sites serve them: the story wrapped in navigation, cookie banners,
share bars, inline ads, related-story lists, newsletter boxes, comments and footers.

Three outlets, three different markups (JSON-LD + ``div.story-body``; ``<article>`` with
``<time>`` and Open Graph; ``main`` with class-named paragraphs and a ticker widget), so that
extraction is tested against layouts, not against one template.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

from newsflow.newsroom.content import SITES, Article, load_articles

COOKIE = (
    '<div id="cookie-consent" class="cookie-banner" role="dialog"><p>We use cookies to personalise '
    "content and ads, to provide social media features and to analyse our traffic. By clicking "
    '"Accept all" you agree to our use of cookies.</p><button>Accept all</button><button>Manage '
    "preferences</button></div>"
)
SHARE = (
    '<div class="share-bar"><span>Share this story</span><a href="#">Facebook</a><a href="#">X</a>'
    '<a href="#">LinkedIn</a><a href="#">Email</a><a href="#">Copy link</a></div>'
)
AD = '<div class="ad-slot ad-inline" aria-hidden="true"><span>Advertisement</span><div class="ad-frame"></div></div>'
NEWSLETTER = (
    '<aside class="newsletter-signup"><h3>Get the morning briefing</h3><p>The day\'s top stories, '
    'delivered to your inbox before 7am. Sign up for our newsletter.</p><form><input type="email" '
    'placeholder="Your email"><button>Sign up</button></form></aside>'
)


def _iso(dt: datetime | None) -> str:
    return dt.isoformat().replace("+00:00", "Z") if dt else ""


def _nav(site: str) -> str:
    sections = ["News", "Politics", "Business", "World", "Sport", "Opinion", "Weather", "Podcasts"]
    items = "".join(f'<li><a href="/{site}/{s.lower()}/">{s}</a></li>' for s in sections)
    return (
        f'<header class="site-header"><a class="logo" href="/{site}/">{escape(SITES[site])}</a>'
        f'<nav class="main-nav"><ul>{items}</ul></nav><a class="subscribe-cta" href="/{site}/subscribe">'
        'Subscribe</a><a href="/login">Sign in</a></header>'
    )


def _related(article: Article, clock: datetime) -> str:
    others = [a for a in load_articles() if a.site == article.site and a.slug != article.slug][:5]
    items = "".join(
        f'<li><a href="{a.path}">{escape(a.title)}</a><span class="time">{a.published(clock):%b %d}</span></li>'
        for a in others
    )
    return f'<aside class="related-stories"><h3>More from {escape(SITES[article.site])}</h3><ul>{items}</ul></aside>'


def _comments(article: Article) -> str:
    if not article.comments:
        return ""
    items = "".join(
        f'<li class="comment"><span class="comment-author">{escape(c.get("author", ""))}</span>'
        f'<p>{escape(c.get("text", ""))}</p><a href="#">Reply</a> <a href="#">Report</a></li>'
        for c in article.comments
    )
    return (
        f'<section id="comments" class="comments"><h3>{len(article.comments)} Comments</h3>'
        f'<ol class="comment-list">{items}</ol><p class="comment-policy">Comments are moderated. '
        "Please read our community guidelines.</p></section>"
    )


def _footer(site: str) -> str:
    return (
        f'<footer class="site-footer"><ul><li><a href="/about">About us</a></li><li><a href="/contact">'
        'Contact</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a>'
        f"</li></ul><p>© 2026 {escape(SITES[site])}. All rights reserved.</p></footer>"
    )


def _visible_paragraphs(article: Article) -> tuple[str, ...]:
    return article.paragraphs[:2] if article.kind == "paywalled" else article.paragraphs


def _body_html(article: Article, p_class: str = "", ad_every: int = 3) -> str:
    parts = []
    cls = f' class="{p_class}"' if p_class else ""
    for i, para in enumerate(_visible_paragraphs(article)):
        if i in article.subheadings:
            parts.append(f"<h2>{escape(article.subheadings[i])}</h2>")
        parts.append(f"<p{cls}>{escape(para)}</p>")
        if article.pullquote and i == 1:
            parts.append(f'<blockquote class="pullquote">{escape(article.pullquote)}</blockquote>')
        if ad_every and i % ad_every == ad_every - 1 and i < len(article.paragraphs) - 1:
            parts.append(AD)
    if article.kind == "paywalled":
        parts.append(
            '<div class="paywall" data-paywall="true"><h3>Subscribe to continue reading</h3><p>You have '
            "reached your limit of free articles. Subscribers get unlimited access for $1 a week.</p>"
            '<a class="button" href="/subscribe">Subscribe now</a></div>'
        )
    if article.kind == "video":
        parts.append(
            f'<figure class="video-player"><video controls src="/media/{article.slug}.mp4" '
            f'poster="/media/{article.slug}.jpg"></video><figcaption>{escape(article.dek)}</figcaption></figure>'
        )
    return "".join(parts)


def _jsonld(article: Article, clock: datetime, url: str) -> str:
    doc: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": _iso(article.published(clock)),
        "mainEntityOfPage": url,
        "inLanguage": article.language,
        "publisher": {"@type": "Organization", "name": SITES[article.site]},
    }
    if article.updated(clock):
        doc["dateModified"] = _iso(article.updated(clock))
    if article.author:
        doc["author"] = [{"@type": "Person", "name": article.author}]
    if article.kind == "paywalled":
        doc["isAccessibleForFree"] = False
    return f'<script type="application/ld+json">{json.dumps(doc)}</script>'


def _head(article: Article, extra: str) -> str:
    return (
        f'<head><meta charset="utf-8"><title>{escape(article.title)} | {escape(SITES[article.site])}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{extra}'
        '<link rel="stylesheet" href="/static/site.css"><script src="/static/analytics.js" async></script></head>'
    )


def render_page(article: Article, clock: datetime, base_url: str) -> str:
    url = base_url + article.path
    published = article.published(clock)
    if article.site == "daily-herald":
        head = _head(article, _jsonld(article, clock, url) + f'<link rel="canonical" href="{url}">')
        byline = (
            f'<p class="byline">By <a rel="author" href="#">{escape(article.author)}</a></p>' if article.author else ""
        )
        main = (
            f'<div class="breadcrumbs"><a href="/{article.site}/">Home</a> › '
            f'<a href="#">{escape(article.section.title())}'
            f'</a></div><h1 class="headline">{escape(article.title)}</h1><p class="dek">{escape(article.dek)}</p>'
            f'{byline}<p class="dateline">Published {published:%B %d, %Y %H:%M} UTC</p>{SHARE}'
            f'<div class="story-body" itemprop="articleBody">{_body_html(article)}</div>{SHARE}'
            f"{_related(article, clock)}{NEWSLETTER}{_comments(article)}"
        )
    elif article.site == "metro-wire":
        meta = (
            f'<meta property="og:title" content="{escape(article.title)}"><meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{_iso(published)}">'
            f'<meta name="author" content="{escape(article.author)}"><link rel="canonical" href="{url}">'
        )
        if article.updated(clock):
            meta += f'<meta property="article:modified_time" content="{_iso(article.updated(clock))}">'
        credit = (
            '<p class="credit">Reporting by Metro Wire staff; Editing by the business desk</p>'
            if article.kind != "video"
            else ""
        )
        main = (
            f'<div class="ticker-bar">Markets: S&amp;P 500 +0.4% · Nasdaq +0.7% · Brent $78.10</div>'
            f'<article class="wire-story"><h1>{escape(article.title)}</h1><div class="meta"><span class="author">'
            f'{escape(article.author)}</span> · <time datetime="{_iso(published)}">{published:%d %b %Y, %H:%M}'
            f'</time></div><div class="article-text">{_body_html(article, ad_every=4)}</div>{credit}</article>'
            f'<aside class="trending"><h3>Trending</h3>{_related(article, clock)}</aside>{NEWSLETTER}'
            f"{_comments(article)}"
        )
        head = _head(article, meta)
    else:
        meta = (
            f'<meta property="og:title" content="{escape(article.title)}">'
            f'<meta property="og:description" content="{escape(article.dek)}"><link rel="canonical" href="{url}">'
            + _jsonld(article, clock, url)
        )
        ticker = '<div class="live-ticker"><span class="ticker-label">Update hourly</span></div>'
        main = (
            f'<main id="content"><div class="article__header"><span class="kicker">{escape(article.section.title())}'
            f'</span><h1 class="article__title">{escape(article.title)}</h1><p class="article__standfirst">'
            f'{escape(article.dek)}</p><div class="article__byline">{escape(article.author)} · '
            f'{published:%d %B %Y}</div></div>{SHARE}<div class="article__content">'
            f"{_body_html(article, p_class='paragraph', ad_every=0)}{ticker}</div>{_related(article, clock)}"
            f"{_comments(article)}</main>"
        )
        head = _head(article, meta)
    return (
        f'<!DOCTYPE html><html lang="{article.language}">{head}<body>{COOKIE}{_nav(article.site)}'
        f"{main}{_footer(article.site)}</body></html>"
    )
