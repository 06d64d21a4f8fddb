# Consult — everything a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: install run serve test lint translations compile-translations clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) compile-translations

compile-translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>&1 | tail -n 6 || true

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask consult demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Production-style serving with gunicorn (see gunicorn.conf.py and the README).
serve: install
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The whole suite on SQLite, then on a throw-away PostgreSQL server when one is installed
# (CI installs it and sets CONSULT_REQUIRE_POSTGRES=1 so that a missing server fails).
test: install
	scripts/system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q
	@status=0; scripts/with-postgres $(BIN)/pytest -q -p no:cacheprovider || status=$$?; \
	if [ $$status = 3 ] && [ -z "$$CONSULT_REQUIRE_POSTGRES" ]; then \
	  echo "PostgreSQL is not installed: the PostgreSQL pass was skipped (apt-get install postgresql)."; \
	elif [ $$status != 0 ]; then exit $$status; fi

# Style, formatting and the layers (web → services → models; no route module imports another).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/consult.db*

# Load benchmarks (about 12 minutes): SQLite, then a throw-away PostgreSQL server, each with the IPCC-scale round.
# Prints the figures and writes bench/results/*.json; see bench/README.md.
bench: install
	$(BIN)/python -m bench.run sqlite
	@status=0; scripts/with-postgres $(BIN)/python -m bench.run postgresql || status=$$?; \
	if [ $$status = 3 ]; then \
	  echo "PostgreSQL is not installed: the PostgreSQL pass was skipped (apt-get install postgresql)."; \
	elif [ $$status != 0 ]; then exit $$status; fi
