"""Deduplication: canonical URLs, content hashes and the history index shared by all runs."""
