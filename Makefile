# govtracker: `make run` sets everything up and serves; `make test` runs the whole suite.
# The interpreter the virtual environment is made from (PYTHON=... chooses another): the
# distribution's CPython 3.11 where it has one that can make a virtual environment, else
# the first python3 on the PATH. Debian builds /usr/bin/python3.11 with profile-guided and
# link-time optimisation, libpython linked in; pyenv's default build (no
# --enable-optimizations, a shared libpython) served 20-30 % fewer requests a second
# under load on the same code (README, "Performance", Session 26).
DISTRIBUTION_PYTHON := /usr/bin/python3.11
PYTHON ?= $(if $(shell $(DISTRIBUTION_PYTHON) -c 'import venv, ensurepip' 2>/dev/null && echo yes),$(DISTRIBUTION_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate data messages lint format check clean serve synthetic bench bench-smoke instructions profile survey

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Compiled translations (.mo) are build products, made from the committed .po files.
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

data: migrate
	$(BIN)/python manage.py load_source_data

# Fictional data at scale for performance work (README, "Synthetic data"); never part of
# `make run`. E.g. make synthetic SCALE=national DATABASE_URL=postgres://...; RESET=1 first
# removes earlier synthetic rows (and only those).
SCALE ?= small
SEED ?= 1
synthetic: data
	$(BIN)/python manage.py generate_synthetic_data --scale $(SCALE) --seed $(SEED) $(if $(RESET),--reset)

run: messages data
	@echo ""
	@echo "govtracker is at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Create an admin account with:  $(BIN)/python manage.py createsuperuser"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production run: DEBUG off, static files collected (whitenoise serves them), migrations
# applied, gunicorn. Needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL in the
# environment (README, "Deployment").
# Threaded workers: a sync worker busy with one request longer than --timeout is killed,
# which would cut a long CSV export (all milestones of the country) in the middle; a
# threaded worker's main thread keeps reporting alive while its threads stream.
WORKERS ?= 2
THREADS ?= 4
serve: messages
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=0 $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=0 exec $(BIN)/gunicorn govtracker.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--worker-class gthread --threads $(THREADS) \
		--access-logfile - --timeout 30 --graceful-timeout 20

# Throughput and latency under gunicorn with production settings (README, "Performance").
# National scale: DATABASE_URL names a loaded database (default gt_bench on the local
# PostgreSQL); BENCH_SECONDS per URL and pass, BENCH_WORKERS, BENCH_CONNECTIONS, BENCH_PASSES.
bench: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gt_bench} \
		$(BIN)/python -m bench.run

# Instructions a request costs, counted by valgrind: steady whatever the machine's load, for
# comparing two versions of the code. E.g. make instructions URLS="/zh-hant/ /api/v1/plans/"
instructions: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gt_bench} \
		$(BIN)/python -m bench.instructions $(URLS)

# Where a request's time goes in the worker, by function (cProfile): a map, not a figure.
# E.g. make profile URLS="/zh-hant/plans/?status=missed"
profile: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gt_bench} \
		$(BIN)/python -m bench.profile $(URLS)

# Every sort, filter and search of the API's lists and the plans page, timed one request at
# a time: which of them reads every row. E.g. make survey (or URLS="/api/v1/plans/?q=x").
survey: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gt_bench} \
		$(BIN)/python -m bench.survey $(URLS)

# The same script on a tiny SQLite database it builds itself, 1 s per URL: correctness only.
bench-smoke: messages
	$(BIN)/python -m bench.run --smoke

test: messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/python manage.py check

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
