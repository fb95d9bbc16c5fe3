"""Ring 2: workbook files. Fast reading, lossless writing, templates and export files."""
