# Two commands on a fresh machine: `make audit` (the main job) and `make test`.
# Both create .venv themselves; every cache stays inside this checkout.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export TFPROOF_CACHE_DIR ?= $(CURDIR)/.cache/tfproof

.PHONY: venv test audit lint unit compliance integration bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

test: venv
	-@bash scripts/ensure-chromium.sh
	$(BIN)/nox --no-venv -s lint layers -- $(ARGS)

audit: venv
	$(BIN)/tfproof audit --out reports $(ARGS)

lint unit compliance integration bench: venv
	$(BIN)/nox --no-venv -s $@ -- $(ARGS)

clean:
	rm -rf .cache .nox reports
