"""Lets `python -m climc` behave like the `climc` console script."""

from climc.cli import main

main()
