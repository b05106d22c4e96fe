"""Who may read and write what: API keys with a role, for one collection or all."""
