"""``computegrid runs``: list and compare the runs written by ``computegrid plan``."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import typer
from rich.markup import escape

from computegrid.cli.render import print_json, print_table
from computegrid.cli.serve import DEFAULT_DB


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Runs written by computegrid plan; publishing the service's runs.",
                        no_args_is_help=True)

    @group.command("list")
    def list_(runs_dir: Path = typer.Option(Path("runs"), "--runs-dir"),
              as_json: bool = typer.Option(False, "--json")) -> None:
        """List finished runs."""
        from computegrid.services.runs.compare import list_runs

        rows = list_runs(runs_dir)
        if as_json:
            print_json({"runs_dir": str(runs_dir), "runs": rows})
            return
        def bn(v):
            return None if v is None else v / 1e9

        cols = ["run", "scenario", "resolution", "expand", "runtime [s]", "co-optimised [bn CNY/yr]",
                "saving vs status-quo [bn CNY/yr]"]
        print_table(f"runs in {runs_dir}", [escape(c) for c in cols],
                    [[r["run_id"], r["scenario_name"], r["resolution"], r["expand"], r["runtime_s"],
                      bn(r["co_optimised_cost_cny_per_year"]), bn(r["savings_vs_status_quo_cny_per_year"])]
                     for r in rows])

    @group.command("compare")
    def compare(a: str = typer.Argument(..., help="Run id A."), b: str = typer.Argument(..., help="Run id B."),
                runs_dir: Path = typer.Option(Path("runs"), "--runs-dir"),
                as_json: bool = typer.Option(False, "--json")) -> None:
        """Compare two runs, figure by figure (B - A)."""
        from computegrid.services.runs.compare import compare_runs

        out = compare_runs(runs_dir, a, b)
        if as_json:
            print_json(out)
            return
        for name, rows in out["scenarios"].items():
            print_table(f"{name}: {a} vs {b}", ["figure", "A", "B", "B - A"],
                        [[k, v["a"], v["b"], v["b_minus_a"]] for k, v in rows.items()])

    @group.command("publish")
    def publish(run_id: str = typer.Argument(..., help="id of a succeeded run of the service "
                                             "(GET /v1/plans)"),
                db: str = typer.Option(DEFAULT_DB, "--db", envvar="COMPUTEGRID_DB_URL",
                                       help="run store of `computegrid serve`")) -> None:
        """Publish a service run: the open signal endpoints serve its signals (newest first)."""
        from computegrid.services.runs.store import open_store

        with closing(open_store(db)) as store:
            run = store.publish_run(run_id)
        typer.echo(f"published run {run.id} at {run.published_at.isoformat()}")

    app.add_typer(group, name="runs")
