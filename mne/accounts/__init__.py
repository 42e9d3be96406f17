"""Users, their roles on entities, API tokens and signing in."""
