"""No Office.js formulas: the workbook's formulas (KL_FAELLIG …) are classic xlwings UDFs on Windows.

xlwings Server imports this module in any case; without it, it would load its own examples.
"""
