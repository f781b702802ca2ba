"""(being written)"""

from __future__ import annotations

from tieuchi.web.pages.common import page_router

router = page_router()
