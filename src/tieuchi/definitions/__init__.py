"""Definition folders: YAML and CSV files loaded in stages into validated definitions."""

from tieuchi.definitions.loader import check_definitions, load_definitions

__all__ = ["check_definitions", "load_definitions"]
