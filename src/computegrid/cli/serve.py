"""``computegrid serve``: the HTTP API and dashboard (uvicorn)."""

from __future__ import annotations

from pathlib import Path

import typer

from computegrid.errors import InputError

DEFAULT_DB = "sqlite:///computegrid.db"


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``.

    Longer than 60 lines: each command is a nested function that Typer registers on ``app``,
    with its options declared in its signature, one per line.
    """

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
        port: int = typer.Option(8000, "--port", help="TCP port"),
        db: str = typer.Option(DEFAULT_DB, "--db", envvar="COMPUTEGRID_DB_URL",
                               help="run store: sqlite:///FILE or postgresql://user@host/db"),
        runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="folder of run results"),
        workers: int = typer.Option(1, "--workers",
                                    help="planning runs executed at once (per HTTP process)"),
        http_workers: int = typer.Option(1, "--http-workers",
                                         help="HTTP server processes (use the cores; runs, keys "
                                              "and leases are shared through the store)"),
        plan_time_limit_s: float = typer.Option(900.0, "--plan-time-limit-s",
                                                help="wall-clock limit of one planning run [s]"),
        max_body_bytes: int = typer.Option(1_000_000, "--max-body-bytes",
                                           help="largest accepted request body [B]"),
        signals: Path | None = typer.Option(
            None, "--signals", help="signals file (CSV/Parquet) or run folder to serve; default: "
                                    "the newest finished planning run"),
        anonymous_rate_limit_per_s: float = typer.Option(
            50.0, "--anonymous-rate-limit-per-s",
            help="request rate per client address on the open endpoints [1/s]"),
    ) -> None:
        """Serve the HTTP API, its OpenAPI spec (/docs) and the dashboard (/dashboard).

        Longer than 60 lines: its options, one per line, are the whole configuration of the
        server.
        """
        if not 0 < port < 65536:
            raise InputError("--port", port, "an integer in 1..65535")
        if workers < 1:
            raise InputError("--workers", workers, "an integer >= 1")
        if not 1 <= http_workers <= 64:
            raise InputError("--http-workers", http_workers, "an integer in 1..64")
        if not plan_time_limit_s > 0:
            raise InputError("--plan-time-limit-s", plan_time_limit_s, "a number > 0")
        if max_body_bytes < 1024:
            raise InputError("--max-body-bytes", max_body_bytes, "an integer >= 1024")
        if not anonymous_rate_limit_per_s > 0:
            raise InputError("--anonymous-rate-limit-per-s", anonymous_rate_limit_per_s,
                             "a number > 0")
        import uvicorn

        from computegrid.api.app import create_app
        from computegrid.api.settings import ApiSettings
        from computegrid.services.runs.store.store import make_engine

        if signals is not None:
            from computegrid.services.signals.signal_feed import read_signal_feed

            read_signal_feed(signals)  # a bad file is one line, exit 2, before start
        make_engine(db).dispose()  # a malformed --db URL is one line, exit 2, before start
        from computegrid.services.runs.store import open_store

        open_store(db).close()  # migrate once, before any worker process starts
        settings = ApiSettings(db_url=db, runs_dir=runs_dir, n_workers=workers,
                               plan_time_limit_s=plan_time_limit_s, max_body_bytes=max_body_bytes,
                               anonymous_rate_limit_per_s=anonymous_rate_limit_per_s,
                               signals_path=signals)
        # Access log: method, path and status only (uvicorn's format); keys travel in headers,
        # which are never logged.
        if http_workers == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                        access_log=True)
            return
        import os

        from computegrid.api.app import SETTINGS_ENV, settings_to_env

        os.environ[SETTINGS_ENV] = settings_to_env(settings)  # holds no secret: paths and limits
        uvicorn.run("computegrid.api.app:app_from_env", factory=True, workers=http_workers,
                    host=host, port=port, log_level="info", access_log=True)
