"""``python -m tieuchi``: the command line."""

from tieuchi.cli import main

main()
