# The few commands people type. `make test` is exactly what CI runs (minus the service URLs).
.PHONY: demo test ci lint fmt bench up

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
