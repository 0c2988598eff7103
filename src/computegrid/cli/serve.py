"""``computegrid serve``: the HTTP API and dashboard (uvicorn)."""

from __future__ import annotations

from pathlib import Path

import typer

from computegrid.errors import InputError

DEFAULT_DB = "sqlite:///computegrid.db"


def register(app: typer.Typer) -> None:
    """Add ``serve``.

    Longer than 60 lines: its options are declared in the signature, as Typer needs.
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
        forwarded_allow_ips: str = typer.Option(
            "", "--forwarded-allow-ips",
            help="comma-separated addresses of reverse proxies whose X-Forwarded-For is trusted "
                 "(default: none)"),
        max_runs_per_key: int = typer.Option(2, "--max-runs-per-key",
                                             help="queued + running planning runs per key"),
        max_runs: int = typer.Option(8, "--max-runs",
                                     help="queued + running planning runs in all"),
        worker_memory_limit_gb: float = typer.Option(
            16.0, "--worker-memory-limit-gb",
            help="address-space limit of each planning run's process [GiB] (0: none)"),
        header_timeout_s: float = typer.Option(
            10.0, "--header-timeout-s",
            help="a connection whose request head is incomplete after this long is closed [s]"),
        rate_limit_delay_s: float = typer.Option(
            1.0, "--rate-limit-delay-s",
            help="a refused (429) request is answered after this delay, a tarpit for floods [s] (0: off)"),
        default_signals: bool = typer.Option(
            True, "--default-signals/--no-default-signals",
            help="without --signals and before a run is published, serve the base-year "
                 "dispatch signals (built in the background from the start, cached)"),
    ) -> None:
        """Serve the HTTP API, its OpenAPI spec (/docs) and the dashboard (/dashboard).

        Longer than 60 lines: Typer declares each option in the signature, and each is checked here
        so that a bad one is one line and exit code 2 before the server starts.
        """
        if not 0 < port < 65536:
            raise InputError("--port", port, "an integer in 1..65535")
        if workers < 1:
            raise InputError("--workers", workers, "an integer >= 1")
        if not 1 <= http_workers <= 64:
            raise InputError("--http-workers", http_workers, "an integer in 1..64")
        if not 0 < plan_time_limit_s < float("inf"):
            raise InputError("--plan-time-limit-s", plan_time_limit_s, "a finite number > 0")
        if max_body_bytes < 1024:
            raise InputError("--max-body-bytes", max_body_bytes, "an integer >= 1024")
        if not 0 < anonymous_rate_limit_per_s <= 1e6:
            raise InputError("--anonymous-rate-limit-per-s", anonymous_rate_limit_per_s,
                             "a finite number > 0")
        if not 0.1 <= header_timeout_s <= 600:
            raise InputError("--header-timeout-s", header_timeout_s, "seconds in 0.1..600")
        if not 0 <= rate_limit_delay_s <= 60:
            raise InputError("--rate-limit-delay-s", rate_limit_delay_s, "seconds in 0..60")
        if not (max_runs_per_key >= 1 and max_runs >= 1):
            raise InputError("--max-runs-per-key/--max-runs", f"{max_runs_per_key}/{max_runs}",
                             "integers >= 1")
        if not 0 <= worker_memory_limit_gb <= 1e4:
            raise InputError("--worker-memory-limit-gb", worker_memory_limit_gb,
                             "a number of GB >= 0 (0: no limit)")
        import uvicorn

        from computegrid.api.app import create_app
        from computegrid.api.server import uvicorn_options
        from computegrid.api.settings import ApiSettings
        from computegrid.services.signals.signal_feed import DEFAULT_SIGNALS_BUILDER
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
                               signals_path=signals,
                               signals_builder=DEFAULT_SIGNALS_BUILDER if default_signals
                               else None,
                               forwarded_allow_ips=tuple(
                                   ip.strip() for ip in forwarded_allow_ips.split(",")
                                   if ip.strip()),
                               max_active_runs_per_key=max_runs_per_key,
                               max_active_runs_total=max_runs,
                               header_timeout_s=header_timeout_s,
                               rate_limit_delay_s=rate_limit_delay_s,
                               prepare_signals_at_start=True,
                               worker_memory_limit_bytes=int(worker_memory_limit_gb * 2**30)
                               or None)
        # Access log: method, path and status, query strings dropped (they may carry a key
        # sent as ?api_key=); keys in headers are never logged.
        options = uvicorn_options(settings)
        if http_workers == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                        access_log=True, **options)
            return
        import os

        from computegrid.api.app import SETTINGS_ENV, settings_to_env

        os.environ[SETTINGS_ENV] = settings_to_env(settings)  # holds no secret: paths and limits
        uvicorn.run("computegrid.api.app:app_from_env", factory=True, workers=http_workers,
                    host=host, port=port, log_level="info", access_log=True, **options)
