# The two commands a new machine needs: `make run` (demo portal) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_SIZE ?= 300
# Test services: the machine's PostgreSQL and Redis unless the caller points elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test lint deps messages makemessages browser clean backup restore

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled translations are build output (git-ignored); rebuild when a .po file changes.
# Each app keeps its own catalogue in <app>/locale; portal/ and templates/ use locale/.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po */locale/*/LC_MESSAGES/django.po))
%.mo: %.po
	msgfmt --check-format -o $@ $<

messages: $(MO_FILES)

# Extract new strings into the catalogues (then translate the Dutch ones).
makemessages: $(VENV)/.installed
	PORTAL_DEMO=1 $(PY) manage.py makemessages -l nl -l en -v0 --ignore=.venv --ignore=node_modules \
		--ignore=initiatives --ignore=agendas --ignore=selection --ignore=tests --ignore=bench
	for app in initiatives agendas selection; do \
		mkdir -p $$app/locale && (cd $$app && PORTAL_DEMO=1 ../$(PY) ../manage.py makemessages -l nl -l en -v0); done

deps: $(VENV)/.installed node_modules/.installed messages

run: deps
	PORTAL_DEMO=1 $(PY) manage.py migrate --noinput -v0
	PORTAL_DEMO=1 $(PY) manage.py load_reference_data
	PORTAL_DEMO=1 $(PY) manage.py seed_demo --size $(DEMO_SIZE) --with-overlaps
	PORTAL_DEMO=1 $(PY) manage.py seed_selection_demo
	@echo "Portal: http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/)"
	PORTAL_DEMO=1 $(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# Chromium for the browser tests comes from Debian (not from Playwright's downloader).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: deps browser lint
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles

# Back up / restore the PostgreSQL database in DATABASE_URL (custom format, restorable table by table).
BACKUP_DIR ?= backups
backup:
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL to the PostgreSQL database to back up." >&2; exit 2)
	mkdir -p $(BACKUP_DIR)
	pg_dump --format=custom --no-owner --file=$(BACKUP_DIR)/portal-$$(date -u +%Y%m%dT%H%M%SZ).dump "$$DATABASE_URL"
	@ls -1t $(BACKUP_DIR)/*.dump | head -n1

# make restore BACKUP=backups/portal-....dump  (into an empty or existing database: objects are replaced)
restore:
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL to the PostgreSQL database to restore into." >&2; exit 2)
	@test -f "$(BACKUP)" || (echo "Set BACKUP to an existing dump file." >&2; exit 2)
	pg_restore --clean --if-exists --no-owner --exit-on-error --dbname="$$DATABASE_URL" "$(BACKUP)"
