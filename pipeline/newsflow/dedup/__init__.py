"""Deduplication: canonical URLs, exact and near copies, article versions, feed sightings.

Modules, in the order the data flows:

* ``canonical``: ``canonical_url(url)`` and ``prefer_rel_canonical(page_url, rel_canonical)``.
* ``hashing``: ``content_hash(body)`` (exact copies) and ``stable_id(...)`` (article ids).
* ``text``, ``minhash``: folded word shingles, MinHash band keys, bottom-k sketches, ``overlaps``.
* ``features``: ``prepare(rows)``, what deciding and committing compute from an hour's rows.
* ``segments``, ``store``: the history index (``History`` protocol; ``MemoryHistory``;
  ``DedupIndex``, persisted under ``<data>/state/dedup/``).
* ``stories``: ``assign_stories(rows, history, hour)`` → one ``Decision`` per article (original,
  exact or near copy, a URL seen again unchanged, or an ``update``: a new ``version``).
* ``sightings``: ``sightings(entries, hour, run_id, article_ids)`` → the ``sightings`` table.
* ``settings``: ``DedupSettings`` (threshold and index shape, ``NEWSFLOW_DEDUP_*``).
* ``commands``: ``newsflow dedup`` (``add_parser``).
* ``index``: ``HistoryIndex``, which committed hours (earlier or later) hold a canonical URL and
  as which version; ``belongs_elsewhere`` (an article belongs to the hour that first committed it).
* ``stage``: ``deduplicate(rows, history, stories, hour, rec)``, the pipeline's dedup stage.
"""
