"""Load benchmarks for the web app (issue 8): the app under gunicorn on a fresh, seeded
PostgreSQL database, driven by locust flows and an open-loop fixed-rate generator.

`python -m bench.load` runs every scenario and prints one table; see bench/README.md.
"""
