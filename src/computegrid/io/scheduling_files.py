"""Readers of a user's scheduling inputs: a job trace and a site table (CSV), validated on load.

The tables themselves are built and checked in :mod:`computegrid.scheduling` from DataFrames
(:func:`~computegrid.scheduling.jobs.make_jobs`, :func:`~computegrid.scheduling.sites.make_sites`).
"""

from __future__ import annotations

from computegrid.io.user_csv import read_user_csv
from computegrid.scheduling.jobs import JobClass, JobTable, make_jobs
from computegrid.scheduling.sites import SiteTable, make_sites


def read_jobs_csv(path, classes: dict[str, JobClass] | None = None,
                  max_site_accelerators: int | None = None) -> JobTable:
    """Read a user's trace from CSV (columns as in :func:`make_jobs`).

    Parameters
    ----------
    path : str or Path
        CSV file, one job a row, sorted by ``submit_time``.

    Raises
    ------
    InputError
        The file cannot be read.
    DataFileError
        See :func:`make_jobs`.
    """
    frame = read_user_csv(path, "--trace", "an existing CSV file or a bundled trace name (philly, azure-llm)")
    return make_jobs(frame, source=str(path), classes=classes,
                     max_site_accelerators=max_site_accelerators)


def read_sites_csv(path) -> SiteTable:
    """Read sites from CSV: columns ``site``, ``province``, ``latitude_deg``, ``longitude_deg``,
    ``pue`` [-], ``n_accelerators`` [-]."""
    frame = read_user_csv(path, "--sites")
    return make_sites(frame, source=str(path))
