"""The ``computegrid`` command: builds the Typer app at call time and maps errors to exit codes.

Each command group lives in its own module of this package and exposes
``register(app: typer.Typer) -> None``. Bad input of any kind (a click usage error, an
``InputError`` from a service) is printed as one line on stderr with exit code 2; no traceback
reaches the user unless ``COMPUTEGRID_DEBUG=1`` is set.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click
import typer

try:  # typer >= 0.22 carries its own copy of click; older releases use click itself
    from typer._click import exceptions as _typer_click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    _typer_click_exceptions = click.exceptions


def _classes(name: str, *extra: type) -> tuple[type, ...]:
    found = [getattr(mod, name, None) for mod in (click.exceptions, _typer_click_exceptions)]
    return tuple({c for c in (*found, *extra) if isinstance(c, type)})


_USAGE_ERRORS = _classes("UsageError")
_NO_ARGS = _classes("NoArgsIsHelpError")
_ABORT = _classes("Abort", typer.Abort)
_EXIT = _classes("Exit", typer.Exit)

from computegrid.errors import ComputegridError, InputError

#: Command modules, registered in this order; one that is not present is skipped.
COMMAND_MODULES = (
    "claims",
    "estimate",
    "measure",
    "grid",
    "plan",
    "scenario",
    "runs",
    "outlook",
    "adequacy",
    "schedule",
    "serve",
    "keys",
    "headroom",
)


def build_app() -> typer.Typer:
    """Build the Typer application with every available command group."""
    app = typer.Typer(
        name="computegrid",
        help="Plan AI compute together with the power grid.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        """Plan AI compute together with the power grid."""

    @app.command("version")
    def _version() -> None:
        """Print the computegrid version."""
        from computegrid import __version__

        typer.echo(__version__)

    for name in COMMAND_MODULES:
        module_name = f"computegrid.cli.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(app)
    return app


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``computegrid`` console script."""
    debug = os.environ.get("COMPUTEGRID_DEBUG") == "1"
    command = typer.main.get_command(build_app())
    try:
        code = command.main(args=argv, prog_name="computegrid", standalone_mode=False)
    except _NO_ARGS as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except _USAGE_ERRORS as exc:  # unknown option, bad type, missing argument
        _fail(exc.format_message().replace("\n", " "), 2)
    except _ABORT:
        _fail("aborted", 130)
    except _EXIT as exc:
        sys.exit(getattr(exc, "exit_code", 0))
    except InputError as exc:
        if debug:
            raise
        _fail(str(exc), 2)
    except ComputegridError as exc:
        if debug:
            raise
        _fail(str(exc).replace("\n", " "), 1)
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        if debug:
            raise
        _fail(f"internal error ({type(exc).__name__}): {exc}".replace("\n", " ")
              + " (set COMPUTEGRID_DEBUG=1 for the traceback)", 1)
    sys.exit(code if isinstance(code, int) else 0)
