# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test clean xapian-server

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## run the bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat over seeds/
	$(BIN)/chamber-qa run

test: $(STAMP) xapian-server  ## lint, then every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The shard server the remote-shard tests start on 127.0.0.1 (Debian's xapian-tools; root installs it).
xapian-server:
	@command -v xapian-tcpsrv >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xapian-tools >/dev/null; } || \
		echo "xapian-tcpsrv not installed (apt-get install xapian-tools): remote-shard tests will fail"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
