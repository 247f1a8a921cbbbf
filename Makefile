# Two commands: `make run` starts the whole journal with a demo school; `make test` checks everything.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: run test slow lint format install infra contracts personal-data bench bench-marks bench-load bench-peaks bench-portal topology chaos browser-tools report-tools mutation mutation-quick mutation-chassis

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

infra:
	@bash deploy/local/ensure-infra.sh

# The browser tests' tools: Debian's Chromium (Playwright cannot download browsers here) and axe-core from npm.
browser-tools:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@test -f tests/browser/node_modules/axe-core/axe.min.js || npm ci --prefix tests/browser --no-audit --no-fund --silent

# Reports' PDFs: WeasyPrint's Pango, Cyrillic fonts (DejaVu, Liberation), poppler to render and read them back in tests.
report-tools:
	@dpkg -s libpango-1.0-0 fonts-dejavu-core fonts-liberation poppler-utils >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation poppler-utils >/dev/null; }

# SCALE=2 runs two instances of the gateway and of gradebook behind round-robin balancers.
run: install infra report-tools
	@$(UV) run --frozen python -m devstack $(if $(SCALE),--scale $(SCALE))

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

# TEST_CONTAINERS=1 runs PostgreSQL and RabbitMQ in Docker instead (see chassis.testing). TEST_WORKERS pytest-xdist
# workers (one per core here; devstack.testing keeps a folder's tests, and the end-to-end stack's, on one worker).
TEST_WORKERS ?= 2
test: lint browser-tools report-tools $(if $(filter 1,$(TEST_CONTAINERS)),,infra)
	$(UV) run --frozen pytest -n $(TEST_WORKERS)

# The long forms `make test` leaves out (the `slow` marker): the journal run twice over behind balancers.
slow: install infra report-tools
	$(UV) run --frozen pytest -m slow

format: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

contracts: install
	$(UV) run --frozen export-contracts docs/contracts

# The processing register of personal data (152-ФЗ), from the models' ``personal_data`` annotations.
personal-data: install
	$(UV) run --frozen python -m chassis.personal_data docs/personal-data.md

# The fault suite in full (make test runs its short form): a private PostgreSQL and RabbitMQ node
# restarted and killed under load; prints lost / duplicated / seconds to converge (docs/reliability.md).
chaos: install infra
	JOURNAL_FAULTS=full $(UV) run --frozen pytest tests/faults -q -s -p no:randomly

# The RabbitMQ definitions file deploy loads, generated from every service's consumers.
topology: install
	$(UV) run --frozen python -m chassis.topology export deploy/rabbitmq/definitions.json

# Issue 6's figures in one command: the load beside the bare floor, then the peaks.
bench: bench-load bench-peaks

# Marks through the gateway and straight to gradebook, each timed until it is in the diary.
bench-marks: install infra
	$(UV) run --frozen python tests/perf/bench_marks.py

# The journal under load beside the bare floor (../shared/bench); wrk comes from Debian.
bench-load: install infra
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(UV) run --frozen python tests/perf/bench_load.py

# The peaks: 10,000 ESIA logins in 5 minutes through the sandbox, and families' diaries during the evening fan-out.
bench-peaks: install infra
	$(UV) run --frozen python tests/perf/bench_peaks.py

# The state portal's pull (R-70): a family's week by ESIA id and a school's day on the change feed.
bench-portal: install infra
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(UV) run --frozen python tests/perf/bench_portal.py

# Mutation testing (mutmut; tests/mutation/run.py): score and survivors per target, in var/mutation/.
mutation: install infra
	$(UV) run --frozen python tests/mutation/run.py

mutation-quick: install
	$(UV) run --frozen python tests/mutation/run.py --quick

mutation-chassis: install infra
	$(UV) run --frozen python tests/mutation/run.py --chassis
