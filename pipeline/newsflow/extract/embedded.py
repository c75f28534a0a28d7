"""The story where client-rendered pages keep it: JSON-LD ``articleBody`` and embedded JSON state.

A client-rendered page ships an empty shell ("Loading…") and the story as data: in the Article's
JSON-LD ``articleBody``, or in the state the framework hydrates from (Next.js ``__NEXT_DATA__``,
Redux/Apollo ``window.__INITIAL_STATE__``/``__PRELOADED_STATE__``/``__APOLLO_STATE__``, Nuxt
``__NUXT_DATA__``). The state is searched for the largest text under a body-like key (``body``,
``content``, ``articleBody``, ``paragraphs``…), skipping keys that hold links, media, captions,
teasers of other stories and the like. HTML strings are read as HTML, plain strings as paragraphs.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from lxml.html import HtmlElement

from newsflow.extract.blocks import Block, count_words, from_html_fragment, from_text, norm, word_count
from newsflow.extract.structured import PageDeclarations

_STATE_ASSIGN = re.compile(
    r"(?:window\.|self\.)?(__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__NUXT_DATA__|__DATA__|"
    r"__INITIAL_DATA__|__STATE__|__APP_STATE__|__REDUX_STATE__)\s*=\s*",
)
_STATE_IDS = frozenset({"__NEXT_DATA__", "__NUXT_DATA__", "__APOLLO_STATE__", "__INITIAL_STATE__", "initial-state"})
_BODY_KEY = re.compile(
    r"^(?:article_?body|body|body_?html|body_?text|content|content_?html|content_?text|contents|html|text|story|"
    r"story_?body|paragraphs?|blocks|elements|rich_?text|full_?text|main_?content|post_?content|value)$",
    re.IGNORECASE,
)
_SKIP_KEY = re.compile(
    r"url|href|src|link|^id$|_id$|^type$|typename|class|style|image|img|photo|video|media|caption|credit|alt|"
    r"slug|^key$|hash|token|date|time|author|byline|title|headline|description|summary|teaser|seo|meta|"
    r"related|recommend|comment|^ads?$|advert|sponsor|nav|menu|footer|header|promo|tracking|analytics|config",
    re.IGNORECASE,
)
MAX_STATE_CHARS = 8_000_000
MAX_NODES = 300_000
MIN_STRING_WORDS = 3


def jsonld_article_body(decl: PageDeclarations) -> list[Block]:
    """The longest ``articleBody`` among the page's Article objects, as blocks."""
    best: list[Block] = []
    for value in decl.article_values("articleBody"):
        if not isinstance(value, str):
            continue
        blocks = from_html_fragment(value) if "<" in value and ">" in value else from_text(value)
        if word_count(blocks) > word_count(best):
            best = blocks
    return best


def state_documents(tree: HtmlElement) -> list[Any]:
    """Parsed JSON state objects embedded in the page's scripts."""
    docs: list[Any] = []
    for script in tree.iter("script"):
        text = script.text or ""
        if not text or len(text) > MAX_STATE_CHARS:
            continue
        sid = script.get("id") or ""
        stype = (script.get("type") or "").lower()
        if sid in _STATE_IDS or (stype == "application/json" and len(text) > 2000):
            with contextlib.suppress(ValueError):
                docs.append(json.loads(text))
            continue
        match = _STATE_ASSIGN.search(text)
        if match:
            start = match.end()
            if text.startswith("JSON.parse(", start):
                try:
                    inner, _ = json.JSONDecoder().raw_decode(text, start + len("JSON.parse("))
                    docs.append(json.loads(inner))
                except (ValueError, TypeError):
                    pass
                continue
            try:
                doc, _ = json.JSONDecoder().raw_decode(text, start)
                docs.append(doc)
            except ValueError:
                pass
    return docs


_TYPE_KEYS = ("type", "_type", "nodeType", "__typename", "kind", "blockType")
_HEADING_TYPE = re.compile(r"head|^h[2-6]$|subtitle|crosshead", re.IGNORECASE)


def _node_is_heading(node: dict[str, Any]) -> bool:
    return any(isinstance(node.get(k), str) and _HEADING_TYPE.search(node[k]) for k in _TYPE_KEYS)


def _strings(value: Any, budget: list[int]) -> list[tuple[str, str]]:
    """``(kind, text)`` leaves of a value in order, skipping keys that hold something other than story
    text; a node typed as a heading (``{"type": "heading", "text": …}``) gives a heading."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack and budget[0] > 0:
        node, heading = stack.pop()
        budget[0] -= 1
        if isinstance(node, str):
            if heading and node.strip():
                out.append(("heading", node))
            elif count_words(node) >= MIN_STRING_WORDS or ("<" in node and ">" in node):
                out.append(("text", node))
        elif isinstance(node, list):
            stack.extend((v, heading) for v in reversed(node))
        elif isinstance(node, dict):
            is_heading = heading or _node_is_heading(node)
            stack.extend((v, is_heading) for k, v in reversed(node.items()) if not _SKIP_KEY.search(str(k)))
    return out


def _to_blocks(strings: list[tuple[str, str]]) -> list[Block]:
    blocks: list[Block] = []
    for kind, s in strings:
        if kind == "heading":
            blocks.append(Block("heading", norm(re.sub(r"<[^>]+>", " ", s))))
        else:
            blocks.extend(from_html_fragment(s) if "<" in s and ">" in s else from_text(s))
    return blocks


def story_from_state(doc: Any) -> list[Block]:
    """The largest text found under a body-like key anywhere in the state."""
    best: list[Block] = []
    best_words = 0
    budget = [MAX_NODES]
    stack: list[Any] = [doc]
    while stack and budget[0] > 0:
        node = stack.pop()
        budget[0] -= 1
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for k, v in node.items():
                if _BODY_KEY.match(str(k)) and not isinstance(v, int | float | bool):
                    blocks = _to_blocks(_strings(v, budget))
                    words = word_count(blocks)
                    if words > best_words:
                        best, best_words = blocks, words
                if isinstance(v, dict | list) and not _SKIP_KEY.search(str(k)):
                    stack.append(v)
    return best


def embedded_state_blocks(tree: HtmlElement) -> list[Block]:
    best: list[Block] = []
    for doc in state_documents(tree):
        blocks = story_from_state(doc)
        if word_count(blocks) > word_count(best):
            best = blocks
    return best
