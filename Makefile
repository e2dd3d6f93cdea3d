# `make run` starts the service with the seed events; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench messages clean

# The venv is rebuilt whenever requirements.txt changes.
$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed

# The site's own links (feeds, canonical, sitemap, API `url`) follow the address served here,
# unless SITE_URL is set; a wildcard bind address is reached as localhost.
SITE_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST))
run: export DJANGO_DEBUG ?= 1
run: export SITE_URL ?= http://$(SITE_HOST):$(PORT)
# Browsers reach runserver directly: no proxy's X-Forwarded-For to trust.
run: export TRUSTED_PROXIES ?= 0
run: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py load_seed
	@echo
	@$(PY) manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/
	@echo "Public timeline: http://$(HOST):$(PORT)/"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --settings=config.test_settings

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Throughput of every surface under gunicorn, measured with wrk (apt-get install wrk); minutes.
bench: install
	$(PY) bench/run.py

# Compile translations after editing locale/*/LC_MESSAGES/django.po (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages --locale de --ignore '.venv/*' --ignore 'tests/*' --no-obsolete --no-location
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
