"""The xlwings Server project of the team server (its `XLWINGS_PROJECT_DIR`).

xlwings Server imports `custom_scripts`, `custom_functions` and `auth.<provider>` from this
folder as top-level modules; each is a thin door onto `kundenliste_tools.xl`.
"""
