"""`python -m compiler` runs the ldrc CLI."""

from .cli import main

main(prog_name="ldrc")
