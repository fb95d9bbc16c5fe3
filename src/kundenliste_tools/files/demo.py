"""Writing the demo workbook: the template filled with invented data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core.demo_data import DemoData, generate
from .template import write_workbook

DEMO_NAME = "Kundenliste-Demo.xlsm"


def write_demo(path: str | Path, today: dt.date | None = None, n_customers: int = 300) -> DemoData:
    """Build the demo workbook at `path`; returns the data (with its deliberate mistakes)."""
    data = generate(n_customers=n_customers, today=today)
    write_workbook(path, data.kunden, data.doku, berater=data.berater)
    return data
