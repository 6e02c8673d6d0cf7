# The two commands of the README. Each sets everything up from a fresh clone first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: setup demo ui test test-quick postgres benchmark

setup:
	@python3 -m uv --version >/dev/null 2>&1 || command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# Generate a dataset, start the sandbox and run the whole pipeline through Dagster against it.
demo: setup
	$(UV) run python -m orchestration demo

# The Dagster UI on http://127.0.0.1:3000 (schedules, backfills, asset checks).
# Instance storage goes to .dagster_home/ (gitignored), configured by the committed dagster.yaml.
ui: setup
	mkdir -p .dagster_home && cp dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(UV) run dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

postgres:
	@bash tests/ensure_postgres.sh

# The whole suite, as CI runs it.
test: setup postgres
	$(UV) run pytest -n 2 --dist loadgroup --durations=25

# The quick subset for local work: everything but the slow end-to-end tests.
test-quick: setup
	$(UV) run pytest -m "not slow" -n 2 --dist loadgroup

# Every stage of the pipeline at 10k, 100k and 1M people: a table on stdout, JSON under
# data/benchmarks/. Long (the 1M scale alone takes a while); not part of the test suite.
benchmark: setup
	$(UV) run python -m tests.benchmarks.bench_pipeline
