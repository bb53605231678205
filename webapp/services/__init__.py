"""State changes and queries, one function per use case; no request objects in here."""
