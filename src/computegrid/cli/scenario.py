"""``computegrid scenario``: write and check planning scenario files."""

from __future__ import annotations

from pathlib import Path

import typer

from computegrid.cli.render import print_json


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Planning scenario files (YAML).", no_args_is_help=True)

    @group.command("init")
    def init(file: Path = typer.Argument(..., help="Where to write the documented template."),
             force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
        """Write the documented default scenario (china-2030) as a template."""
        from computegrid.services.plan.scenario import write_template

        path = write_template(file, force=force)
        typer.echo(f"written: {path}")

    @group.command("check")
    def check(file: Path = typer.Argument(..., help="Scenario YAML."),
              set_: list[str] = typer.Option(None, "--set", help="Override one value: key.sub=value."),
              as_json: bool = typer.Option(False, "--json", help="Print the validated scenario.")) -> None:
        """Validate a scenario file against the data (sites, latency reach) without solving."""
        from computegrid.services.plan.inputs import prepare
        from computegrid.services.plan.scenario import load_scenario, scenario_dict

        config = load_scenario(str(file), set_ or None)
        inputs = prepare(config)
        if as_json:
            print_json({"status": "ok", "scenario": scenario_dict(config),
                        "ai_it_power_mean_mw": float(inputs.demand_mw.to_numpy().sum())})
        else:
            typer.echo(f"ok: {config.name} ({len(inputs.sites)} sites, {len(inputs.classes)} classes)")

    app.add_typer(group, name="scenario")
