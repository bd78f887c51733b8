"""Headers every answer carries, pages and API alike, and ``Secure`` cookies off loopback.

- ``Content-Security-Policy``: scripts, styles, images and fonts from this site only (no
  inline script or style attribute anywhere in the templates), no framing
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for old browsers), forms post
  only here;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` (a patient's
  course id in a URL never leaks to another site);
- ``Cache-Control: no-store`` on everything but the static assets: clinical pages and API
  answers never stay in a shared or browser cache;
- whenever the service is not plain HTTP on a loopback address (served over HTTPS, or
  listening on a network address), ``Strict-Transport-Security`` and the ``Secure`` flag on
  every cookie, whatever ``cookie_secure`` says.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
# Addresses on which plain HTTP never leaves the machine. "testserver" is Starlette's
# in-process test client, which opens no socket at all.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost", "testserver"})
CACHEABLE_PREFIXES = ("/static/", "/docs/assets/")

_FIXED_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
)


def plain_loopback(scope: Scope) -> bool:
    """True when the request came over plain HTTP to a loopback address of this host."""
    server = scope.get("server")
    host = str(server[0]) if server else ""
    return scope.get("scheme") == "http" and (host in LOOPBACK_HOSTS or host.startswith("127."))


def _secure_cookie(value: str) -> str:
    attributes = [a.strip().lower() for a in value.split(";")[1:]]
    return value if "secure" in attributes else value + "; Secure"


class TransportHeaders:
    """ASGI middleware adding the headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = not plain_loopback(scope)
        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _FIXED_HEADERS:
                    headers[name] = value
                if not cacheable:
                    headers["cache-control"] = "no-store"
                if secure:
                    headers["strict-transport-security"] = HSTS
                    cookies = headers.getlist("set-cookie")
                    if cookies:
                        del headers["set-cookie"]
                        for cookie in cookies:
                            headers.append("set-cookie", _secure_cookie(cookie))
            await send(message)

        await self.app(scope, receive, send_with_headers)
