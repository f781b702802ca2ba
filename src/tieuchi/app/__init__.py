"""The application layer: the :class:`App` object with the use-case commands and the one
permission policy (:mod:`tieuchi.app.policy`). The web, the API, the command line and the
importers translate requests into its commands; none of them holds a business rule."""

from tieuchi.app.application import (
    FORM_VINTAGES,
    STEP_ACTIONS,
    App,
    Moved,
    Shown,
    UnknownUnit,
    expectation,
)
from tieuchi.app.policy import SYSTEM, Action, Actor, Resource, System, allowed

__all__ = ["App", "Moved", "UnknownUnit", "Shown", "expectation", "STEP_ACTIONS", "FORM_VINTAGES",
           "Action", "Actor", "Resource", "System", "SYSTEM", "allowed"]
