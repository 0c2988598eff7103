"""Command-line interface (Typer): parse, call a service, render. No business logic here."""
