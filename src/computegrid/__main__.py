"""``python -m computegrid`` runs the command-line interface."""

from computegrid.cli.app import main

if __name__ == "__main__":
    main()
