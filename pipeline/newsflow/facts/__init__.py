"""Facts from article text: entities, money, percentages, quantities and resolved dates.

``extract_facts`` is the one entry point; each fact type has its own module of rules on top of
the spaCy pipeline loaded by :mod:`newsflow.facts.model`. Offsets (``start``/``end``) index the
text exactly as given, so analysts can slice the article body with them.
"""

from newsflow.facts.core import Fact, extract_facts, extract_facts_many

__all__ = ["Fact", "extract_facts", "extract_facts_many"]
