# One set of commands for people and CI (.ci/run calls `make test`).
.PHONY: setup run test lint format typecheck pytest docs bench bench-hashing bench-index bench-snapshot bench-scan bench-likeness bench-load bench-lookup bench-pdq-js bench-cli bench-reupload bench-capture bench-backscan bench-backscan-ray attack-run clean

VENV := .venv/bin

setup:
	./scripts/bootstrap

run: setup
	$(VENV)/bouclier serve

test: setup
	./scripts/ensure-postgres
	./scripts/ensure-chromium
	$(MAKE) lint typecheck pytest

lint:
	$(VENV)/ruff check src tests benchmarks scripts extensions
	$(VENV)/ruff format --check src tests benchmarks scripts extensions

format:
	$(VENV)/ruff check --fix src tests benchmarks scripts extensions
	$(VENV)/ruff format src tests benchmarks scripts extensions

typecheck:
	$(VENV)/mypy

# Tests in parallel (pytest-xdist): one worker per CPU (logical: a 2-vCPU VM gets 2), at most 4;
# tests that must share one worker carry @pytest.mark.xdist_group. PYTEST_WORKERS=0: serially.
PYTEST_WORKERS ?= logical

pytest:
	$(VENV)/pytest -n $(PYTEST_WORKERS) --maxprocesses=4 --dist loadgroup

docs: setup
	$(VENV)/python -m bouclier.cli.docs

bench-hashing: setup
	$(VENV)/python benchmarks/bench_hashing.py

bench-index: setup
	$(VENV)/python benchmarks/bench_index.py

# issue 18: loading the index snapshot, format 2 (stored tables, mapped) beside format 1
bench-snapshot: setup
	$(VENV)/python benchmarks/bench_snapshot.py

bench-scan: setup
	$(VENV)/python benchmarks/bench_scan.py

bench-likeness: setup
	$(VENV)/python benchmarks/bench_likeness.py

bench-pdq-js: setup
	./scripts/ensure-chromium
	$(VENV)/python benchmarks/bench_pdq_js.py

bench-load: setup
	$(VENV)/python benchmarks/bench_load.py

bench-lookup: setup
	$(VENV)/python benchmarks/bench_lookup.py

bench-cli: setup
	$(VENV)/python benchmarks/bench_cli_startup.py

# issue 14's attacks against a real service on 127.0.0.1, one row per category (held/broken)
attack-run: setup
	$(VENV)/python scripts/attack_run.py

bench-reupload: setup
	$(VENV)/python benchmarks/bench_reupload.py

# issue 16: captures per minute beside a bare Playwright visit, and bytes per capture
bench-capture: setup
	./scripts/ensure-chromium
	$(VENV)/python benchmarks/bench_capture.py

# issue 17: (id, PDQ) rows against a bank, local processes vs Ray; image back-scan vs scan
bench-backscan: setup
	$(VENV)/python benchmarks/bench_backscan.py

# issue 17: where Ray's time goes on one machine beside local processes (CPU by process)
bench-backscan-ray: setup
	$(VENV)/python benchmarks/bench_backscan_ray.py

bench: bench-hashing bench-index bench-scan bench-likeness

clean:
	rm -rf .venv build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .cache
