"""``/docs``: Swagger UI served from the installed package, so it works offline.

FastAPI's default page loads Swagger UI from a CDN (blank without the internet) and starts
it with an inline script (refused by the Content-Security-Policy). Here the assets come from
the ``swagger-ui-bundle`` package under ``/docs/assets/`` and the start-up script is a file.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
_INIT_SCRIPT = Path(__file__).with_name("docs_static") / "swagger-init.js"

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>isotrack API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Add ``/docs`` (the page), ``/docs/swagger-init.js`` and ``/docs/assets/*``."""

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @app.get(DOCS_PATH + "/swagger-init.js", include_in_schema=False)
    def docs_init() -> FileResponse:
        return FileResponse(_INIT_SCRIPT, media_type="text/javascript")

    app.mount(DOCS_PATH + "/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs")
