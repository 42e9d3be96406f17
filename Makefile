# mne: two commands set everything up. `make run` serves the demonstration; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# `make run PORT=5001` serves on another port when 5000 is taken.
PORT ?= 5000
# The suite runs in one process per core, a test module never split (`make test TEST_WORKERS=0`: one).
TEST_WORKERS ?= auto
TEST_STAMP := $(VENV)/.test-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

MO_FILES := $(patsubst %.po,%.mo,$(wildcard mne/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test bench lint clean browser catalogues messages fonts pdflibs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP) catalogues fonts pdflibs
	$(BIN)/mne init
	$(BIN)/mne demo
	$(BIN)/mne serve --host 127.0.0.1 --port $(PORT)

test: $(TEST_STAMP) catalogues browser fonts pdflibs
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Browser tests drive Debian's chromium with Playwright (no browser download); install it when absent.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and cannot be: browser tests will be skipped"; fi; \
	fi

# The message catalogues: each language's .mo compiled again whenever its .po changes.
catalogues: $(MO_FILES)

%.mo: %.po | $(BIN)/python
	$(BIN)/pybabel --quiet compile -i $< -o $@

# After changing marked messages: new ones into every .po (then translate them), gone ones out.
messages: $(TEST_STAMP)
	$(BIN)/python -m mne.catalogues update

# Reports and pages in Chinese need a CJK font: Debian's Noto Sans CJK, installed when absent.
fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's fonts-noto-cjk for Chinese pages and reports"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else echo "no CJK font and none can be installed: Chinese reports will show empty boxes"; fi; \
	fi
# PDF reports are typeset by WeasyPrint, which needs pango (and its fonts); install them when absent.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdflibs:
	@missing=$$(for package in $(PDF_PACKAGES); do 	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || echo $$package; done); 	if [ -n "$$missing" ]; then 	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then 	    echo "installing $$missing for PDF reports"; 	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; 	  else echo "$$missing not installed and cannot be: PDF reports will fail"; fi; 	fi

# Every benchmark prints its figures with their goals; `make bench QUICK=1` runs them small
# (BENCH_SCALE=0.1). bench/dataset.py is the builder the others share, not a benchmark.
BENCH_SCRIPTS := $(filter-out bench/dataset.py,$(wildcard bench/*.py))
bench: $(TEST_STAMP) catalogues
	@for script in $(BENCH_SCRIPTS); do echo "== $$script"; \
	  $(if $(QUICK),BENCH_SCALE=0.1) $(BIN)/python $$script || exit 1; done

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
