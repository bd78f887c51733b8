"""The application layer: the one door through which the API, the web pages and the CLI reach
the store and the engines. Each use case checks the caller's access (``access``), works in one
transaction, and raises errors of ``isotrack.domain.errors`` only."""
