"""Safe by default: the app listens on the loopback interface unless told otherwise; listening
anywhere else needs a session token on every request; on loopback, requests must name a
loopback host (a web page elsewhere cannot reach the app through DNS rebinding); a request that
changes something must come from the app's own page (its Origin, when sent, is the app's).

The token is given once in the address the command prints (``?token=...``), kept in a cookie
by the page, and accepted from scripts as ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

COOKIE = "lup_opt_token"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_loopback(host: str) -> bool:
    if host.strip("[]") in {"localhost", "::1"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _host_name(header: str) -> str:
    return urlsplit(f"//{header}").hostname or ""


class Guard(BaseHTTPMiddleware):
    """The token (when the app listens beyond loopback), the Host check (on loopback) and the
    Origin check (for requests that change something)."""

    def __init__(self, app, token: str | None, loopback: bool):
        super().__init__(app)
        self.token = token
        self.loopback = loopback

    async def dispatch(self, request: Request, call_next):
        host = request.headers.get("host", "")
        if self.loopback and _host_name(host) not in LOOPBACK_NAMES:
            return JSONResponse({"detail": f"host '{host[:80]}' refused: the app answers on 127.0.0.1 only"}, 403)
        origin = request.headers.get("origin")
        if request.method not in SAFE_METHODS and origin and urlsplit(origin).netloc != host:
            return JSONResponse({"detail": "refused: the request comes from another site"}, 403)
        if self.token is not None:
            given = request.query_params.get("token") or request.cookies.get(COOKIE) or ""
            bearer = request.headers.get("authorization", "")
            if bearer.lower().startswith("bearer "):
                given = bearer[7:].strip()
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                return JSONResponse({"detail": "a session token is needed: open the address lup-opt app printed"},
                                    401)
            if request.query_params.get("token") and request.method == "GET" and request.url.path == "/":
                response = RedirectResponse("/", 303)  # the token leaves the address bar for a cookie
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
                return response
        return await call_next(request)
