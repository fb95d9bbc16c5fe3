"""Ring 1: the workbook model and the business logic. No xlwings, no file handles."""
