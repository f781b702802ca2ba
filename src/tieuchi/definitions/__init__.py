"""Definition folders: YAML and CSV files loaded in stages into validated definitions."""

from tieuchi.definitions.loader import check_definitions, declared_levels, load_definitions
from tieuchi.definitions.writing import write_if_valid

__all__ = ["check_definitions", "declared_levels", "load_definitions", "write_if_valid"]
