"""Deduplication: canonical URLs, exact and near copies, article versions, feed sightings.

Modules, in the order the data flows:

* ``canonical``: ``canonical_url(url)`` and ``prefer_rel_canonical(page_url, rel_canonical)``.
* ``hashing``: ``content_hash(body)`` (exact copies) and ``stable_id(...)`` (article ids).
* ``text``, ``minhash``: folded word shingles, MinHash band keys, bottom-k sketches, ``overlaps``.
* ``features``: ``prepare(rows)``, what deciding and committing compute from an hour's rows.
* ``segments``, ``store``: the history index (``History`` protocol; ``MemoryHistory``;
  ``DedupIndex``, persisted under ``<data>/state/dedup/``).
* ``stories``: ``assign_stories(rows, history, hour)`` → one ``Decision`` per article, and
  ``links_to_fetch`` for the feed stage.
* ``sightings``: ``sightings(links, hour, run_id)`` → the ``sightings`` table.
* ``settings``: ``DedupSettings`` (threshold and index shape, ``NEWSFLOW_DEDUP_*``).
* ``commands``: ``newsflow dedup`` (``add_parser``).
* ``index``: the SQLite history of exact URLs and hashes the conveyor used before ``store``;
  kept until the conveyor is rewired, then to be removed.
"""
