"""`python -m kundenliste_tools` is the `kundenliste` command."""

import sys

from .cli import main

sys.exit(main())
