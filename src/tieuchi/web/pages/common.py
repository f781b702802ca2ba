"""What every page router shares: the CSRF check and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from tieuchi.store import User
from tieuchi.web.app import current_user
from tieuchi.web.security import require_csrf

__all__ = ["page_router", "CurrentUser"]

CurrentUser = Annotated[User, Depends(current_user)]


def page_router() -> APIRouter:
    return APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)
