# Shortcuts for the scripts a newcomer reads first.
.PHONY: run test lint format ci

run:      ## set up everything and serve the portal with demo data
	scripts/run

test:     ## run the test suite (SQLite unless DATABASE_URL / REDIS_URL are set)
	scripts/test

lint:     ## ruff, the import contracts and the migrations check, as CI runs them
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

ci:       ## what CI runs (needs PostgreSQL and Redis on 127.0.0.1)
	bash .ci/run
