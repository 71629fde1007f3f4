"""The pages: ``/`` the reps' chat, ``/sign-in`` and the sign-in API they use, and
``/static/...`` their scripts and styles. A page asked for without a session redirects to the
sign-in page, which comes back to it afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api import sessions
from api.authentication import signed_in_or_none
from identity.principal import Principal
from web import STATIC_DIR

router = APIRouter(tags=["web"])
router.include_router(sessions.router)

static_files = StaticFiles(directory=STATIC_DIR)
"""Mounted at ``/static`` by the app (a mount, so it stays out of the OpenAPI schema)."""

SIGN_IN_PAGE = "/sign-in"
# no-cache: a page is revalidated, so a new version shows after a restart.
_PAGE_HEADERS = {"Cache-Control": "no-cache"}

PageUserDep = Annotated[Principal | None, Depends(signed_in_or_none)]


def sign_in_redirect(back_to: str) -> RedirectResponse:
    """To the sign-in page, which returns to ``back_to`` (a path of this server)."""
    return RedirectResponse(f"{SIGN_IN_PAGE}?next={quote(back_to, safe='/')}", status_code=303)


def page_for(user: Principal | None, request: Request, file: Path) -> Response:
    """The page ``file`` for a signed-in user, else the redirect to sign in and come back to
    the same address (its query included)."""
    if user is None:
        query = request.url.query
        return sign_in_redirect(request.url.path + (f"?{query}" if query else ""))
    return FileResponse(file, headers=_PAGE_HEADERS)


@router.get("/", include_in_schema=False)
async def chat_page(user: PageUserDep, request: Request) -> Response:
    """The chat page; it talks to this same server's API."""
    return page_for(user, request, STATIC_DIR / "index.html")


@router.get(SIGN_IN_PAGE, include_in_schema=False)
async def sign_in_page() -> FileResponse:
    """The sign-in form (answers without credentials)."""
    return FileResponse(STATIC_DIR / "sign-in.html", headers=_PAGE_HEADERS)
