"""The pages of the web application, one router per area."""

from tieuchi.web.pages import (
    account,
    auth,
    criteria,
    dashboard,
    drafts,
    entry,
    export,
    history,
    imports,
    manage,
    queue,
    reports,
    resolutions,
    tree,
    trend,
)

ROUTERS = [auth.router, account.router, dashboard.router, criteria.router, trend.router,
           entry.router, history.router, manage.router, reports.router, imports.router,
           drafts.router, queue.router, tree.router, export.router, resolutions.router]

__all__ = ["ROUTERS"]
