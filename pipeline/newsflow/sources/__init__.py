"""Sources: the feed registry (``feeds.yaml``) and parsing of feed documents into entries."""
