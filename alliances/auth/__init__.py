"""Who may do what: accounts, passwords, tokens, roles and sessions (no HTTP here; the web layer is thin)."""
