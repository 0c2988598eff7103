"""``computegrid measure -- CMD ARGS...``: run a command and record its energy as JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from computegrid.io.atomic import atomic_write

def _append_atomically(path: Path, lines: list[str]) -> None:
    """Append lines to ``path`` through a temporary file and a rename (never half-written)."""
    path = path.resolve()
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    text = old + "".join(line + "\n" for line in lines)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def register(app: typer.Typer) -> None:
    """Add the ``measure`` command to ``app``."""

    @app.command("measure", context_settings={"allow_extra_args": True,
                                              "ignore_unknown_options": True})
    def _measure(
        command: Optional[list[str]] = typer.Argument(None, help="The command, after --."),
        output: Optional[Path] = typer.Option(
            None, "--output", help="Append JSON-lines records to this file (else print them)."),
        interval_s: float = typer.Option(0.5, "--interval-s", help="Sampling interval. [s]"),
        cpu_tdp_w: Optional[float] = typer.Option(
            None, "--cpu-tdp-w", help="CPU package TDP for the estimate when RAPL is unreadable. [W]"),
        replay: Optional[str] = typer.Option(
            None, "--replay", help="'builtin' or a JSON trace: replay counters instead of hardware."),
    ) -> None:
        """Run CMD and record its energy: GPUs via NVML, CPUs via RAPL, else TDP x utilisation."""
        from computegrid.errors import InputError
        from computegrid.workload import measure
        from computegrid.workload.checks import require_positive

        require_positive(interval_s, "--interval-s")
        if cpu_tdp_w is not None:
            require_positive(cpu_tdp_w, "--cpu-tdp-w")
        if output is not None and not output.resolve().parent.is_dir():
            raise InputError("--output", str(output), "a file in an existing directory")
        notes: list[str] = []
        if replay is None:
            meters, notes = measure.discover_meters(cpu_tdp_w or measure.DEFAULT_CPU_TDP_W)
        elif replay == "builtin":
            meters = measure.load_replay_meters(measure.builtin_replay_trace())
        else:
            path = Path(replay)
            try:
                trace = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError("--replay", replay, f"'builtin' or a readable JSON trace "
                                 f"({type(exc).__name__})") from None
            meters = measure.load_replay_meters(trace)
        result = measure.measure_command(command or [], meters, interval_s=interval_s)
        lines = list(measure.iter_json_lines(result.records))
        for note in notes:
            typer.echo(f"note: {note}", err=True)
        if output is None:
            for line in lines:
                print(line)
        else:
            _append_atomically(output, lines)
            from computegrid.cli.render import print_table

            print_table(f"Energy of: {result.records[0].command if result.records else ''}",
                        ["device", "method", "energy [J]", "energy [kWh]", "mean power [W]", "note"],
                        [(r.device, r.method, r.energy_j, r.energy_kwh, r.mean_power_w, r.note)
                         for r in result.records])
            typer.echo(f"{len(lines)} record(s) appended to {output}")
        sys.exit(result.exit_code)
