"""The evaluation engine: pure, columnar (Polars), no I/O."""

from tieuchi.engine.comparators import COMPARATORS
from tieuchi.engine.criteria import SET_RULES, SetResults
from tieuchi.engine.evaluate import Evaluation, evaluate, series

__all__ = ["COMPARATORS", "SET_RULES", "Evaluation", "SetResults", "evaluate", "series"]
