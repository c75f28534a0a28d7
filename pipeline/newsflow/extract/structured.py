"""What a page declares about itself in machine-readable form: JSON-LD, ``<meta>``, ``<link>``.

Read once per page into :class:`PageDeclarations`, so that metadata, the body chooser and the paywall
check all look at the same parsed values instead of re-running XPath over the tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from newsflow.extract.blocks import norm

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SatiricalArticle",
        "AdvertiserContentArticle",
    }
)
_JSON_COMMENT = re.compile(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(-->|//\s*\]\]>|\]\]>)\s*$")


@dataclass
class PageDeclarations:
    metas: dict[str, list[str]] = field(default_factory=dict)  # lower-cased property/name/itemprop -> contents
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # every object, @graph flattened
    articles: list[dict[str, Any]] = field(default_factory=list)  # the Article-typed ones, in page order
    canonical: str | None = None
    html_lang: str | None = None
    html_title: str | None = None
    h1: list[str] = field(default_factory=list)

    def meta(self, *names: str) -> str | None:
        """First non-empty content among ``names`` (in the order given)."""
        for name in names:
            for value in self.metas.get(name, ()):
                if value:
                    return value
        return None

    def meta_all(self, *names: str) -> list[str]:
        return [v for name in names for v in self.metas.get(name, ()) if v]

    def article_values(self, key: str) -> list[Any]:
        return [obj[key] for obj in self.articles if obj.get(key) not in (None, "", [])]


def read_declarations(tree: HtmlElement) -> PageDeclarations:
    decl = PageDeclarations()
    for el in tree.iter("meta", "link", "script", "title", "h1"):  # one walk over the page
        tag = el.tag
        if tag == "meta":
            content = el.get("content")
            if content is None:
                continue
            content = norm(content)
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = el.get(attr)
                if key:
                    decl.metas.setdefault(key.strip().lower(), []).append(content)
        elif tag == "link":
            rel = (el.get("rel") or "").lower().split()
            if "canonical" in rel and el.get("href") and decl.canonical is None:
                decl.canonical = el.get("href", "").strip()
        elif tag == "script":
            if (el.get("type") or "").strip().lower() == "application/ld+json":
                for obj in _jsonld_objects(el.text or ""):
                    decl.jsonld.append(obj)
                    if _is_article(obj):
                        decl.articles.append(obj)
        elif tag == "title":
            if decl.html_title is None and not any(a.tag == "svg" for a in el.iterancestors()):
                decl.html_title = norm(el.text_content()) or None
        else:
            text = norm(el.text_content())
            if text:
                decl.h1.append(text)
    decl.html_lang = (tree.get("lang") or tree.get("xml:lang") or "").strip() or None
    return decl


def _jsonld_objects(text: str) -> list[dict[str, Any]]:
    text = _JSON_COMMENT.sub("", text.strip())
    if not text:
        return []
    try:
        doc = json.loads(text, strict=False)
    except ValueError:
        # A common publishing bug: raw newlines or trailing commas. One repair attempt, then give up.
        try:
            doc = json.loads(re.sub(r",\s*([}\]])", r"\1", text.replace("\n", " ")), strict=False)
        except ValueError:
            return []
    found: list[dict[str, Any]] = []
    stack: list[Any] = [doc]
    while stack:
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(reversed(obj))
        elif isinstance(obj, dict):
            found.append(obj)
            graph = obj.get("@graph")
            if isinstance(graph, list | dict):
                stack.append(graph)
            main = obj.get("mainEntity")
            if isinstance(main, dict) and _is_article(main):
                stack.append(main)
    return found


def jsonld_types(obj: dict[str, Any]) -> list[str]:
    types = obj.get("@type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _is_article(obj: dict[str, Any]) -> bool:
    return any(t.split(":")[-1] in ARTICLE_TYPES or t.endswith("Article") for t in jsonld_types(obj))


def names(value: Any) -> list[str]:
    """Names out of a schema.org Person/Organization value, a list of them, or a plain string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in names(v)]
    return []


def urls(value: Any) -> list[str]:
    """URLs out of a schema.org ImageObject, a list of them, or a plain string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return urls(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list):
        return [u for v in value for u in urls(v)]
    return []
