"""xlwings Server's authentication providers of the team server (`XLWINGS_AUTH_PROVIDERS=["team"]`)."""
