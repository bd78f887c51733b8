"""The page routes, one module per kind of user."""
