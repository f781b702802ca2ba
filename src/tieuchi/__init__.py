"""tieuchi: targets, criteria sets and official reports for Vietnamese local governments.

The Python API comes first; the command line wraps it::

    from tieuchi import evaluate, load_definitions

    result = evaluate(load_definitions("examples/thanh-tri-2023"), "2023")
"""

from tieuchi.definitions import check_definitions, load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.engine import Evaluation, evaluate

__all__ = [
    "Definitions",
    "Evaluation",
    "Period",
    "Problem",
    "ProblemError",
    "check_definitions",
    "evaluate",
    "load_definitions",
]
__version__ = "0.1.0"
