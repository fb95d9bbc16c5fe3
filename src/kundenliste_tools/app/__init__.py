"""The use cases: one function per thing a user asks for, the same for every door.

Each takes plain inputs (a `WorkbookData` or a path, options as values), returns a typed result
and raises door-neutral errors (`core.errors`; `InvalidInput` names the input that was wrong,
never a door's spelling of it).  The command line, the Excel buttons and formulas, and a team
server only parse their inputs and render these results in their own words.

Ring 3: imports the core and the workbook I/O, and is imported by the doors only.
"""
