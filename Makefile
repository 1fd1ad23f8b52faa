# The two commands: `make run` and `make test`. Everything else is a step they share.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test setup venv lint bench clean messages screenshots fuzz security docs

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Migrate (loads the gazetteer and reference data), collect the static files under hashed names
# (served as immutable, also by the development server), then the demo register and its accounts.
setup: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --if-empty

# Web, Celery worker and Celery beat together; Ctrl-C stops all three.
run: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile --port $(PORT)

# ruff, the migrations in step with the models, and the architecture's import contracts
# (pyproject.toml, [tool.importlinter]: which app and layer may import which).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	bash scripts/check_docker.sh
	$(BIN)/python -m pytest

# The security checks, rerun at will (`make test` runs them too, with everything else): the tests
# marked `security` (tests/conftest.py, SECURITY_TESTS, by file), which include the parts named here.
SECURITY_PARTS := tests/security tests/test_api_fuzz.py tests/test_deploy_check.py
security: venv
	@echo "make security: every test marked security (tests/conftest.py SECURITY_TESTS), among them"
	@echo "  the jurisdiction matrix and the probe's findings: tests/security"
	@echo "  the API fuzzing: tests/test_api_fuzz.py"
	@echo "  manage.py check --deploy on production settings: tests/test_deploy_check.py"
	$(BIN)/python -m pytest -p no:cacheprovider -m security -rfEs $(SECURITY_PARTS) tests

bench: venv
	$(BIN)/python -m bench

# The API fuzzed deeper than `make test` does (tests/test_api_fuzz.py): 100 examples per operation,
# mode and role, the coverage phase for every role, and a new seed each run (printed; FUZZ_SEED=N
# replays one). FUZZ_EXAMPLES=N changes the depth.
fuzz: venv
	@seed=$${FUZZ_SEED:-$$(date +%s)}; echo "FUZZ_SEED=$$seed"; \
	FUZZ_SEED=$$seed FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} FUZZ_COVERAGE_ROLES=all \
	$(BIN)/python -m pytest tests/test_api_fuzz.py -p no:cacheprovider

# PNGs of every page, for each role, in English and Khmer, at a phone and a desktop width, on the
# demo register (a separate SQLite file under var/), into screenshots/, and the guides' pictures into
# docs/img/ (`python -m scripts.screenshots --guide`: those only). Needs Debian's chromium.
screenshots: venv
	$(BIN)/python -m scripts.screenshots

# The guides under docs/ as a static site in var/docs-site/ (open index.html; works offline). `make test`
# builds it too, in strict mode, and checks links, examples and the Khmer pages (tests/docs/).
docs: venv
	$(BIN)/mkdocs build --strict --site-dir var/docs-site
	@echo "The guides: var/docs-site/index.html"

# Re-extract translatable text into the Khmer catalogue, then compile it (needs GNU gettext).
messages: venv
	$(BIN)/python manage.py makemessages --locale km --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --locale km --ignore '.venv/*'

clean:
	rm -rf var/ staticfiles/ .pytest_cache
