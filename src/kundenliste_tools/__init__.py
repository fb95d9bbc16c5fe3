"""kundenliste-tools: Prüfung, Pseudonym-IDs, Fälligkeiten und anonymer Quartalsexport.

Three rings, imports pointing inwards only:
- ``core``: the workbook model and the business logic, pure functions over pandas frames;
- ``files``: reading and writing workbook files (calamine, lossless patching, templates);
- the doors ``xl`` (xlwings) and ``cli``: translation only.

Imports stay lazy (nothing heavy here) so that a RunPython cold start is short.
"""

__version__ = "0.1.0"
