"""The sample newsroom: a local HTTP server with three fictional outlets, their feeds and pages.

Tests and the demo fetch from it over loopback instead of the internet. Its content is bundled
(``content/articles/*.json``) plus the seed article read from ``../shared/seed/``; its clock is the
logical hour it is given, so every run of the same hour sees the same bytes.
"""
