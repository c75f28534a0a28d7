"""The one parse of a page: bytes or text in, one lxml tree out, shared by metadata and body.

Parsing is trafilatura's own loader (encoding sniffing, repair of faulty doctypes, comments and
processing instructions dropped), so the tree we read metadata from is exactly the tree trafilatura
extracts the body from: no second parse, and no disagreement about the page's text.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# Elements a screen reader is told to skip, and tooltips/hover cards, when they are short: pull quotes
# repeated from the text, a politician's card popping up over their name, icon labels. Long hidden
# elements are left alone (some sites hide the rest of the story behind a "read more" toggle; that
# text is the article).
HIDDEN_MAX_CHARS = 600
_HIDDEN_XPATH = etree.XPath(
    '//body//*[@aria-hidden="true" or contains(@class, "tooltip") or contains(@class, "popover") '
    'or contains(@class, "hovercard") or contains(@class, "rollover")]'
)


def parse_page(page: bytes | str) -> HtmlElement | None:
    """The page's tree, or None when the input is empty or not HTML at all."""
    if isinstance(page, bytes | bytearray):
        data = bytes(page)
        if not data.strip():
            return None
    elif not page or not page.strip():
        return None
    else:
        data = page.encode("utf-8", "surrogatepass")  # lxml refuses str with an XML encoding declaration
    try:
        tree = load_html(data)
    except (ValueError, TypeError, etree.ParserError):
        return None
    if tree is None or not isinstance(tree, HtmlElement):
        return None
    return tree


def prune_hidden(tree: HtmlElement) -> int:
    """Remove short hidden or pop-up elements from the body (keeping their tails); returns how many."""
    removed = 0
    for el in _HIDDEN_XPATH(tree):
        parent = el.getparent()
        if parent is None or len(el.text_content()) > HIDDEN_MAX_CHARS:
            continue
        el.drop_tree()
        removed += 1
    return removed
