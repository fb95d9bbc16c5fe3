# The two commands of the README: `make demo` (main job on demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export XLWINGS_LICENSE_KEY ?= noncommercial
# openpyxl writes other bytes when lxml (a test dependency) is importable; the committed workbook
# is built with its plain writer, as on an install without lxml.
export OPENPYXL_LXML ?= False

.PHONY: install sysdeps demo test workbook bench clean

$(BIN)/kundenliste: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/kundenliste

# LibreOffice (headless) and poppler prove that real spreadsheet programs read our files.
sysdeps:
	@if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    libreoffice-calc poppler-utils fonts-dejavu-core >/dev/null; \
	fi

demo: install
	$(BIN)/kundenliste demo demo-out

test: install sysdeps
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest

# Rebuild the committed workbook from code and xl_macros/ (a test checks it is up to date).
workbook: install
	$(BIN)/kundenliste vorlage --ueberschreiben workbook/Kundenliste.xlsm

# Speed as ratios to a bare read_excel (SPEC §10), not part of `make test`.  Workbooks are
# generated once into bench/out/ (100,000 customers: ~3 min):  make bench GROESSE=1000,30000,100000
GROESSE ?= 1000,30000
bench: install
	$(BIN)/python bench/run.py --groesse $(GROESSE)

clean:
	rm -rf $(VENV) demo-out build *.egg-info src/*.egg-info
