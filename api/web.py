"""The reps' chat page: ``/`` answers the page, ``/static/...`` its scripts and styles."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from web import STATIC_DIR

router = APIRouter(tags=["web"])

static_files = StaticFiles(directory=STATIC_DIR)
"""Mounted at ``/static`` by the app (a mount, so it stays out of the OpenAPI schema)."""


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The chat page; it talks to this same server's API."""
    # no-cache: the page is revalidated, so a new version shows after a restart.
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})
