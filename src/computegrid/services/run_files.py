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
