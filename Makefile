# The few commands people type. `make test` is exactly what CI runs (minus the service URLs).
.PHONY: demo test ci lint fmt bench bench-quick simulate up

demo:
	./scripts/demo

test:
	./scripts/test

ci:
	bash .ci/run

lint:
	.venv/bin/ruff check webapp worker tests bench
	.venv/bin/ruff format --check webapp worker tests bench

fmt:
	.venv/bin/ruff format webapp worker tests bench
	.venv/bin/ruff check --fix webapp worker tests bench

up:
	docker-compose up --build

# Benchmarks (never part of the tests); each prints a table. See bench/README.md.
bench:
	.venv/bin/pip install --quiet -e '.[dev,bench,prod]'
	.venv/bin/python -m bench mdgplib
	.venv/bin/python -m bench optimality
	.venv/bin/python -m bench compare
	.venv/bin/python -m bench scale

bench-quick:
	.venv/bin/pip install --quiet -e '.[dev,bench,prod]'
	.venv/bin/python -m bench mdgplib --instances 'RanReal_n120*' --time-scale 0.2
	.venv/bin/python -m bench optimality --sizes 12,20 --seeds 5
	.venv/bin/python -m bench compare --sizes 1000
	.venv/bin/python -m bench scale --n 20000 --sample 5000 --runs 1

# The community simulation behind the README's "Why Hearth groups people this way".
simulate:
	.venv/bin/python -m bench.simulation --seeds 1,2,3,4,5,6 --plot docs/simulation.svg
