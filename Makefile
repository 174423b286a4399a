# The two commands a new user needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Used only by the test and check targets; a real deployment sets its own (see README).
TEST_ENV := SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=localhost,127.0.0.1,testserver SECURE_SSL_REDIRECT=false

.PHONY: install run test test-shared-cache check lint format messages serve bench screenshots screenshots-from-tests clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: set up and start the site on http://127.0.0.1:8000 (development server). Safe to
## run again: load_initial_data adds only what the database lacks, never overwriting staff work.
run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py load_initial_data
	@echo ""
	@echo "The tracker is starting on http://127.0.0.1:8000/"
	@echo "To sign in to the admin (http://127.0.0.1:8000/admin/), create your own account first:"
	@echo "    DEBUG=true $(BIN)/python manage.py createsuperuser"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: the whole suite, one worker per core (pytest-xdist; each worker has its own test
## database). PYTEST_WORKERS=0 runs it in one process. Browser tests need /usr/bin/chromium.
PYTEST_WORKERS ?= auto
test: install
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS)

## make test-shared-cache: the page cache tests against Redis (CACHE_URL, by default a Redis
## on 127.0.0.1:6379, database 1, which the tests empty); .ci/run starts one
test-shared-cache: install
	CACHE_URL=$${CACHE_URL:-redis://127.0.0.1:6379/1} $(TEST_ENV) $(BIN)/pytest -n 0 tests/test_http_caching.py

## make check: lint and missing migrations
check: install
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

lint: check

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make messages: refresh the .po files and compile them (needs GNU gettext)
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l ja -l en --no-location
	DEBUG=true $(BIN)/python manage.py compilemessages

## make serve: the production stack locally (gunicorn, DEBUG off, whitenoise); needs SECRET_KEY
## and ALLOWED_HOSTS in the environment. TLS is expected in front of it: here it is plain HTTP.
serve: install
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py migrate --no-input
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-false} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-false} \
		$(BIN)/gunicorn tracker.wsgi --bind $${BIND:-127.0.0.1:8000} --workers $${WORKERS:-3} --access-logfile -

## make bench: the page and CSV benchmarks (long: see docs/benchmarks.md)
bench: install
	cd bench && ../$(BIN)/python pages.py && ../$(BIN)/python csv_speed.py && ../$(BIN)/python load.py

## make screenshots: pictures of the public pages in both languages (site running on :8000)
screenshots: install
	$(BIN)/python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots

## make screenshots-from-tests: the admin's pages and the staff plays' steps, as the browser
## tests see them, into docs/screenshots/. Without SCREENSHOTS_DIR the tests keep their
## screenshots in a temporary folder, so `make test` leaves docs/ as it was.
screenshots-from-tests: install
	SCREENSHOTS_DIR=docs/screenshots $(TEST_ENV) $(BIN)/pytest tests/test_admin_layout.py tests/test_e2e_staff.py tests/test_e2e_staff_writes.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
