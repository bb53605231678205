"""Hearth benchmarks: one command per bench, ``python -m bench NAME`` (see bench/README.md)."""
