"""Shared test set-up: the xlwings remote engine needs a licence key (noncommercial covers us)."""

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
# lxml is installed for the test corpus (tests/corpus.py writes one workbook with openpyxl on lxml
# in a child process); everything else keeps openpyxl's default writer of a plain install, so the
# committed workbook's bytes (test_workbook_build) do not depend on it.
os.environ.setdefault("OPENPYXL_LXML", "False")
