"""`python -m emulator` runs the command-line interface."""

from emulator.cli.main import main

main()
