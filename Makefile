# The two commands of the README. Each sets everything up from a fresh clone first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: setup demo test test-quick postgres benchmark

setup:
	@python3 -m uv --version >/dev/null 2>&1 || command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# Generate a dataset, start the sandbox and run the main job against it.
demo: setup
	$(UV) run python -m ingestion.sandbox demo

postgres:
	@bash tests/ensure_postgres.sh

# The whole suite, as CI runs it.
test: setup postgres
	$(UV) run pytest -n 2 --dist loadgroup

# The quick subset for local work: everything but the slow end-to-end tests.
test-quick: setup
	$(UV) run pytest -m "not slow" -n 2 --dist loadgroup
