"""A readability-style scorer on the shared tree: the container where the page's prose is densest.

Paragraph-like elements with enough text vote for their parent (fully) and grandparent (half), each
vote weighted by text length and commas and discounted by link density; containers named like
content ("article", "story", "body", …) get a bonus, those named like furniture a malus. The best
container, plus siblings that carry prose of their own, is the candidate. It is a second opinion
next to trafilatura: used when trafilatura's output is thin, and to find a story split across
several containers of the same kind (``continuation_blocks``).
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from newsflow.extract.anchoring import BOILERPLATE_NAMES, link_density, name_tokens
from newsflow.extract.blocks import Block, count_words, from_element, norm

POSITIVE_NAMES = frozenset(
    {
        "article", "articlebody", "article-body", "body", "content", "entry", "main", "page", "post", "story",
        "text", "blog", "prose", "story-body", "post-content", "entry-content", "article-content", "articletext",
        "richtext",
    }
)  # fmt: skip
MIN_PARAGRAPH_CHARS = 25
SIBLING_SHARE = 0.2
_SCORED = ("p", "pre", "td", "blockquote")


def _class_weight(el: etree._Element) -> float:
    tokens = name_tokens(el)
    weight = 0.0
    if tokens & POSITIVE_NAMES:
        weight += 25
    if tokens & BOILERPLATE_NAMES or el.tag in ("aside", "nav", "footer", "header", "form"):
        weight -= 25
    return weight


def score_containers(tree: HtmlElement) -> dict[etree._Element, float]:
    scores: dict[etree._Element, float] = {}
    for p in tree.iter(*_SCORED):
        text = norm(p.text_content())
        if len(text) < MIN_PARAGRAPH_CHARS:
            continue
        vote = 1 + text.count(",") + text.count("，") + min(len(text) // 100, 3)
        parent = p.getparent()
        if parent is None:
            continue
        for node, share in ((parent, 1.0), (parent.getparent(), 0.5)):
            if node is None or not isinstance(node.tag, str):
                continue
            if node not in scores:
                scores[node] = _class_weight(node)
            scores[node] += vote * share
    return {node: score * (1 - (link_density(node) or 0.0)) for node, score in scores.items()}


def best_container(tree: HtmlElement) -> tuple[etree._Element | None, dict[etree._Element, float]]:
    scores = score_containers(tree)
    if not scores:
        return None, scores
    top = max(scores, key=lambda n: scores[n])
    return (top if scores[top] > 0 else None), scores


def density_blocks(tree: HtmlElement) -> list[Block]:
    """The best container's blocks, with siblings that carry prose of their own."""
    top, scores = best_container(tree)
    if top is None:
        return []
    parent = top.getparent()
    chosen = [top]
    if parent is not None:
        threshold = max(10.0, scores[top] * SIBLING_SHARE)
        chosen = []
        for sibling in parent:
            if sibling is top or scores.get(sibling, 0.0) >= threshold:
                chosen.append(sibling)
            elif sibling.tag == "p":
                text = norm(sibling.text_content())
                if len(text) > 80 and (link_density(sibling) or 0.0) < 0.25:
                    chosen.append(sibling)
    blocks: list[Block] = []
    for node in chosen:
        blocks.extend(
            from_element(node) if node.tag != "p" else [Block("paragraph", norm(node.text_content()), source=node)]
        )
    return blocks


_CONTENT_HINTS = frozenset({"body", "article", "content", "story", "text", "entry", "post", "prose", "richtext"})
CONTINUATION_MIN_WORDS = 40


def continuation_blocks(tree: HtmlElement, root: etree._Element | None) -> list[tuple[etree._Element, list[Block]]]:
    """Other containers with exactly the story container's tag and content-like class (a story split
    by ad rows into ``div.article__body`` + ``div.article__body``), each with its blocks."""
    if root is None:
        return []
    cls = (root.get("class") or "").strip()
    if not cls or not (name_tokens(root) & _CONTENT_HINTS):
        return []
    found: list[tuple[etree._Element, list[Block]]] = []
    ancestors = set(root.iterancestors())
    for el in tree.iter(root.tag):
        if el is root or el in ancestors or (el.get("class") or "").strip() != cls:
            continue
        if any(a is root for a in el.iterancestors()):
            continue
        blocks = [b for b in from_element(el) if b.kind != "paragraph" or count_words(b.text) >= 3]
        prose = sum(count_words(b.text) for b in blocks if b.kind == "paragraph")
        if prose >= CONTINUATION_MIN_WORDS and (link_density(el) or 0.0) < 0.3:
            found.append((el, blocks))
    return found
