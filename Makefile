# The README's two commands: `make run` and `make test`. Both install what is missing first.
FLASK = .venv/bin/flask --app wsgi
PYTEST = .venv/bin/pytest
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve db lint test test-postgres test-moved-clock test-postgres-moved-clock test-server bench

install:
	@bash scripts/install.sh

# A random SECRET_KEY made once and reused (the app refuses to start without a strong one; see portal/security.py).
instance/secret_key:
	@mkdir -p instance && (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@)

db: install instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@test -f instance/certs/ca.pem || $(FLASK) dev-ca --out instance/certs  # demo signing certificates, made once

run: db
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn (gunicorn.conf.py) and, when REDIS_URL is set, one RQ worker, started and stopped together
# by honcho from the Procfile. Needs DATABASE_URL, SECRET_KEY (and REDIS_URL); run `flask db upgrade` before.
serve: install
	@if [ -n "$${REDIS_URL:-}" ]; then PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/honcho start -f Procfile; \
	else echo "REDIS_URL chưa đặt: chỉ chạy web, công việc nền chạy trong tiến trình web."; \
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/honcho start -f Procfile web; fi

lint: install
	.venv/bin/ruff check .

test: install
	$(PYTEST) -q -n 2 --dist loadfile

test-postgres: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PYTEST) -q -n 2 --dist loadfile -m "not browser"

# The non-browser suite with the system clock moved years ahead (Debian's faketime): a test or a rule that only
# works this month fails here. FAKE_NOW may name another moment, e.g. FAKE_NOW='2027-01-01 00:00:01'. The monotonic
# clock stays real: timed waits (threading.Event.wait, the rate limiter's timers) would otherwise never end. File
# times stay real too (NO_FAKE_STAT): faking every stat() of Python's imports made the pass a fifth slower.
FAKE_NOW ?= 2029-02-28 10:00:00
test-moved-clock: install
	NO_FAKE_STAT=1 FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '$(FAKE_NOW)' $(PYTEST) -q -n 2 --dist loadfile -m "not browser"

# CI's second pass: the PostgreSQL suite with the clock moved (both checks in one run of the non-browser suite).
test-postgres-moved-clock: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} NO_FAKE_STAT=1 \
	  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '$(FAKE_NOW)' $(PYTEST) -q -n 2 --dist loadfile -m "not browser"

# The documented production process (gunicorn with 2 workers + the RQ worker) against PostgreSQL and Redis, driven
# over HTTP: build → confirm → approve → PDF download. Uses the database SERVER_TEST_DATABASE_URL (created afresh).
test-server: install
	SERVER_TEST=1 $(PYTEST) -q -p no:xdist tests/server

# Speed figures (not tests): every bench/*.py in turn, e.g. bench/pdf_lists.py (payout-list PDF vs LibreOffice).
bench: install instance/secret_key
	@for script in bench/*.py; do echo "== $$script"; BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} .venv/bin/python $$script || exit 1; done
