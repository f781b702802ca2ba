"""The pages of the web application, one router per area."""

from tieuchi.web.pages import auth, criteria, dashboard, entry, manage, trend

ROUTERS = [auth.router, dashboard.router, criteria.router, trend.router, entry.router,
           manage.router]

__all__ = ["ROUTERS"]
