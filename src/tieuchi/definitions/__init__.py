"""Definition folders: YAML and CSV files loaded in stages into validated definitions."""

from tieuchi.definitions.loader import check_definitions, load_definitions
from tieuchi.definitions.problems import CODES, DefinitionError, Problem, Severity

__all__ = ["CODES", "DefinitionError", "Problem", "Severity", "check_definitions",
           "load_definitions"]
