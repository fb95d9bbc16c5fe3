"""The team token: xlwings Server's custom authentication (`validate_token`).

The workbook sends the token from its Einstellungen ("Server-Token") in the Authorization
header (RunServerPython's `auth`).  The server compares it in constant time with the token it
was started with (`KUNDENLISTE_TOKEN`); anything else is 401 before a script runs.  The user
is the team, never a person: the server's log names no one.
"""

from __future__ import annotations

import os
import secrets

from fastapi import HTTPException, status
from xlwings_server.models import User

TOKEN_VARIABLE = "KUNDENLISTE_TOKEN"


async def validate_token(token_string: str) -> User:
    """The team user for the right token (also as `Bearer …`); else HTTP 401."""
    expected = os.environ.get(TOKEN_VARIABLE, "")
    given = token_string.removeprefix("Bearer ").strip()
    if expected and given and secrets.compare_digest(given.encode(), expected.encode()):
        return User(id="team", name="Team")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Kein gültiges Team-Token.")
