"""Airflow's own authentication for the plugin's routes.

Airflow serves a plugin's ``fastapi_apps`` without any authentication, so this dependency does
what Airflow's core API does in ``airflow.api_fastapi.core_api.security.get_user``: take the JWT
from an ``Authorization: Bearer`` header, or else from the ``_token`` cookie the Airflow UI sets
at login, and have the configured auth manager validate it (signature, expiry, revocation) with
``get_user_from_token``. Unlike the core API, an invalid or forged token answers 401 (not 403):
the caller is not authenticated, and RFC 6750 says so with ``WWW-Authenticate: Bearer``. An
authenticated user must then be allowed the ``WEBSITE`` view (any Airflow role that can see the
UI), else 403.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import HTTPException, Request, status
from jwt import InvalidTokenError

log = logging.getLogger(__name__)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()  # an explicit credential wins over the session cookie, as in Airflow
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    return request.cookies.get(COOKIE_NAME_JWT_TOKEN) or None


def _unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = 'Bearer realm="airflow"' + (f', error="{error}"' if error else "")
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge})


async def airflow_user(request: Request):
    """FastAPI dependency: the Airflow user behind the request, or 401/403."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView

    token = _token(request)
    if not token:
        raise _unauthorized("Not authenticated: log in to Airflow or send an Airflow JWT as a Bearer token")
    auth_manager = get_auth_manager()
    try:
        user = await auth_manager.get_user_from_token(token)
    except InvalidTokenError as exc:  # expired, forged, revoked or malformed: all mean "not logged in"
        log.info("news health: rejected token: %s", exc)
        raise _unauthorized("Invalid or expired token", "invalid_token") from None
    allowed = await asyncio.to_thread(auth_manager.is_authorized_view, access_view=AccessView.WEBSITE, user=user)
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Forbidden")
    return user
