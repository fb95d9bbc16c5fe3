"""Shared test set-up: the xlwings remote engine needs a licence key (noncommercial covers us)."""

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
