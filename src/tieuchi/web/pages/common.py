"""What every page router shares: the CSRF check, the signed-in user, and how pages show a
time and a figure's vintage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends

from tieuchi.store import User
from tieuchi.web.app import current_user
from tieuchi.web.i18n import N_
from tieuchi.web.security import require_csrf

__all__ = ["page_router", "CurrentUser", "local_time", "VINTAGE_NAMES"]

# Shown to the user in their time: Việt Nam has had no daylight saving since 1975.
try:
    VIETNAM: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no time-zone database on the host
    VIETNAM = timezone(timedelta(hours=7), "ICT")

VINTAGE_NAMES = {"plan": N_("Kế hoạch"), "estimate": N_("Ước thực hiện"),
                 "preliminary": N_("Sơ bộ"), "official": N_("Chính thức")}
"""The name of each vintage of a figure, as the pages show it."""

CurrentUser = Annotated[User, Depends(current_user)]


def page_router() -> APIRouter:
    return APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)


def local_time(at: datetime, lang: str = "vi") -> str:
    """An audit time in Việt Nam time, the same in both languages: 05/12/2023 14:30."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M")
