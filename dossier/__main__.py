"""`python -m dossier` runs the command line."""

from dossier.cli import main

if __name__ == "__main__":
    main()
