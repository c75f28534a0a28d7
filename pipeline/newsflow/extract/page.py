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
_ARIA_HIDDEN_XPATH = etree.XPath('//body//*[@aria-hidden="true"]')
_POPUP_XPATH = etree.XPath(
    '//body//*[contains(@class, "tooltip") or contains(@class, "popover") or contains(@class, "hovercard") '
    'or contains(@class, "rollover")]'
)
POPUP_NEEDLES = ("ooltip", "opover", "overcard", "ollover")  # first letters left out: either case


def mentions(page: bytes | str, *needles: str) -> bool:
    """Whether the raw page contains any of the needles, case-sensitively.

    A substring search over the raw page costs a tenth of a millisecond; an XPath with ``contains()``
    over every element costs a millisecond. Used to skip XPaths that cannot match."""
    if isinstance(page, str):
        return any(n in page for n in needles)
    return any(n.encode() in page for n in needles)


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


def prune_hidden(tree: HtmlElement, aria_hidden: bool = True, popups: bool = True) -> int:
    """Remove short hidden or pop-up elements from the body (keeping their tails); returns how many.

    ``aria_hidden``/``popups`` False skip a search the caller knows cannot match (see :func:`mentions`)."""
    removed = 0
    found = (_ARIA_HIDDEN_XPATH(tree) if aria_hidden else []) + (_POPUP_XPATH(tree) if popups else [])
    for el in found:
        parent = el.getparent()
        if parent is None or len(el.text_content()) > HIDDEN_MAX_CHARS:
            continue
        el.drop_tree()
        removed += 1
    return removed
