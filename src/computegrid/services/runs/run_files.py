"""Read access to the result folders of planning runs (``runs/<run-id>/``)."""

from __future__ import annotations

from pathlib import Path

#: File types a run folder may publish over the API.
PUBLISHED_SUFFIXES = (".json", ".html", ".png", ".parquet", ".csv", ".nc")


def list_run_files(runs_dir: Path, run_id: str) -> list[str]:
    """Names of the published files directly in ``runs_dir/run_id`` (sorted)."""
    folder = Path(runs_dir) / run_id
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_file() and p.suffix in PUBLISHED_SUFFIXES and not p.name.startswith("."))


def run_file_path(runs_dir: Path, run_id: str, name: str) -> Path | None:
    """Path of one published file, or ``None``; never resolves outside the run folder."""
    if name not in list_run_files(runs_dir, run_id):
        return None
    return Path(runs_dir) / run_id / name


AI_LOAD_FILE = "ai_load.parquet"


def ai_load_by_site(runs_dir: Path, run_id: str, scenario: str = "co-optimised"):
    """Facility AI load of one scenario of a run, summed over classes, per site and time step.

    Reads ``ai_load.parquet`` (columns ``scenario``, ``class``, ``site``, ``timestamp``,
    ``it_load_mw``, ``facility_load_mw``) written by the planning run.

    Returns
    -------
    (timestamps, {site: [MW, ...]}) or None
        None when the run has no such file. Raises ``InputError`` for an unknown scenario.
    """
    import pandas as pd

    from computegrid.errors import InputError

    path = Path(runs_dir) / run_id / AI_LOAD_FILE
    if not path.is_file():
        return None
    frame = pd.read_parquet(path, columns=["scenario", "site", "timestamp", "facility_load_mw"])
    scenarios = sorted(frame["scenario"].unique())
    if scenario not in scenarios:
        raise InputError("query.scenario", scenario, "one of " + ", ".join(scenarios))
    wide = (frame[frame["scenario"] == scenario]
            .groupby(["timestamp", "site"])["facility_load_mw"].sum().unstack("site").fillna(0.0)
            .sort_index())
    timestamps = [pd.Timestamp(t).isoformat() for t in wide.index]
    return timestamps, {str(site): wide[site].astype(float).tolist() for site in wide.columns}
