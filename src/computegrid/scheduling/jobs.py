"""Job model of the operational scheduler: a columnar table of AI jobs, validated once.

A job asks for ``n_accelerators`` for ``duration_h`` hours, may not start before its
``submit_time`` and should end by its ``deadline_time``; it comes from an ``origin_province``
(where its users or data are) and belongs to a class that sets how far (round-trip time) it
may run from its origin.

The table is columnar (one pandas frame, numpy arrays underneath) because traces hold
10^5 jobs; the frozen dataclass :class:`JobTable` is the record that crosses boundaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError


@dataclass(frozen=True)
class JobClass:
    """Service class of a job: how far from its origin it may run and how long it may wait.

    Parameters
    ----------
    name : str
        Class name.
    latency_limit_ms : float
        Largest round-trip time between origin and site. [ms] (``inf``: any site)
    default_slack_h : float
        Time the job may wait beyond running at once, used when a trace gives no
        deadline. [h]
    """

    name: str
    latency_limit_ms: float
    default_slack_h: float


#: Default classes. Sources and assumptions:
#: - online: 20 ms, the east-west round-trip target between hub nodes that the State Council
#:   Information Office reported as "generally met" (2024-08-13) [secondary];
#:   no slack (user-facing).
#: - batch: assumption: 30 ms (1.5x the online limit, data stays in the wider region) and
#:   4 h of slack (short experiments whose author waits for the result).
#: - training: any site (the data moves once, the run lasts hours); assumption: 24 h of
#:   slack (a day's delay accepted for multi-hour runs; cf. the day-long windows of
#:   carbon-aware shifting studies).
DEFAULT_CLASSES: dict[str, JobClass] = {
    "online": JobClass("online", 20.0, 0.0),
    "batch": JobClass("batch", 30.0, 4.0),
    "training": JobClass("training", math.inf, 24.0),
}

#: Columns of a validated job table, in order.
JOB_COLUMNS = ("job_id", "submit_time", "n_accelerators", "duration_h", "job_class",
               "deadline_time", "origin_province", "interruptible")

#: Columns a user trace must have; the others have defaults.
REQUIRED_COLUMNS = ("job_id", "submit_time", "n_accelerators", "duration_h", "origin_province")


@dataclass(frozen=True)
class JobTable:
    """A validated, submit-ordered table of jobs (build it with :func:`make_jobs`).

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns :data:`JOB_COLUMNS`: ``job_id`` (str, unique), ``submit_time`` (UTC),
        ``n_accelerators`` [-], ``duration_h`` [h], ``job_class`` (str),
        ``deadline_time`` (UTC), ``origin_province`` (str), ``interruptible`` (bool);
        sorted by submit time.
    classes : dict
        The :class:`JobClass` of every class name used.
    """

    frame: pd.DataFrame
    classes: dict

    def __len__(self) -> int:
        return len(self.frame)

    def slack_h(self) -> np.ndarray:
        """Time each job may wait beyond running at once. [h]"""
        f = self.frame
        return ((f["deadline_time"] - f["submit_time"]).dt.total_seconds().to_numpy() / 3600.0
                - f["duration_h"].to_numpy())

    def latency_limit_ms(self) -> np.ndarray:
        """Round-trip limit of each job's class. [ms]"""
        lim = {k: c.latency_limit_ms for k, c in self.classes.items()}
        return self.frame["job_class"].map(lim).to_numpy(dtype=float)

    def head(self, n: int) -> JobTable:
        """The first ``n`` jobs by submit time (a contiguous sample)."""
        return JobTable(self.frame.iloc[:n].reset_index(drop=True), self.classes)

    def window(self, start: int, n: int) -> JobTable:
        """``n`` consecutive jobs starting at position ``start``."""
        return JobTable(self.frame.iloc[start:start + n].reset_index(drop=True), self.classes)


def _row_error(source: str, row: int, column: str, value: object, allowed: str,
               job_id: object | None = None) -> DataFileError:
    who = f" (job_id {job_id!r})" if job_id is not None else ""
    return DataFileError(f"{source}: row {row}{who}, column {column}", value, allowed)


def make_jobs(frame: pd.DataFrame, source: str = "trace",
              classes: dict[str, JobClass] | None = None,
              max_site_accelerators: int | None = None,
              require_sorted: bool = True) -> JobTable:
    """Validate a job frame and return a :class:`JobTable`.

    Longer than 60 lines: one check per column, each raising a DataFileError that names the row,
    the column and the value; they validate one table and stay together.

    Parameters
    ----------
    frame : pandas.DataFrame
        At least :data:`REQUIRED_COLUMNS`. ``submit_time`` and ``deadline_time`` are
        timestamps (naive ones are read as UTC); instead of ``deadline_time`` a ``slack_h``
        column [h] may be given (deadline = submit + duration + slack); if neither, the
        class's default slack. ``job_class`` defaults to ``training``, ``interruptible``
        to False.
    source : str
        Name of the file or trace, used in error messages.
    classes : dict, optional
        Job classes by name (default :data:`DEFAULT_CLASSES`).
    max_site_accelerators : int, optional
        Accelerators of the largest site; a job asking for more is rejected. [-]
    require_sorted : bool
        Reject rows whose submit time is earlier than the previous row's (True for user
        files; bundled traces are sorted by their reader).

    Returns
    -------
    JobTable

    Raises
    ------
    DataFileError
        Missing columns, missing or bad values, negative durations, jobs larger than any
        site, unsorted submit times or duplicate ids: one message naming the first bad row
        (rows count from 1, the header excluded).
    """
    classes = dict(classes or DEFAULT_CLASSES)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(f"{source}: columns", ", ".join(missing) + " missing",
                            "a trace needs the columns " + ", ".join(REQUIRED_COLUMNS))
    n = len(frame)
    if n == 0:
        raise DataFileError(f"{source}: rows", 0, "a trace needs at least one job")
    f = pd.DataFrame(index=pd.RangeIndex(n))
    ids = frame["job_id"]
    f["job_id"] = ids.astype(str).to_numpy()
    bad = ids.isna().to_numpy()
    if bad.any():
        r = int(np.argmax(bad))
        raise _row_error(source, r + 1, "job_id", "empty", "every job needs an id")
    dup = f["job_id"].duplicated().to_numpy()
    if dup.any():
        r = int(np.argmax(dup))
        raise _row_error(source, r + 1, "job_id", f["job_id"].iat[r], "job ids must be unique")
    jid = f["job_id"].to_numpy()

    f["submit_time"] = _times(frame["submit_time"], source, "submit_time", jid)
    for col in ("n_accelerators", "duration_h"):
        vals = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(vals)
        if bad.any():
            r = int(np.argmax(bad))
            raise _row_error(source, r + 1, col, frame[col].iat[r], "a finite number", jid[r])
        f[col] = vals
    dur = f["duration_h"].to_numpy()
    bad = dur <= 0
    if bad.any():
        r = int(np.argmax(bad))
        raise _row_error(source, r + 1, "duration_h", float(dur[r]), "a duration > 0 h", jid[r])
    acc = f["n_accelerators"].to_numpy()
    bad = (acc < 1) | (acc != np.round(acc))
    if bad.any():
        r = int(np.argmax(bad))
        raise _row_error(source, r + 1, "n_accelerators", float(acc[r]), "a whole number >= 1",
                         jid[r])
    f["n_accelerators"] = acc.astype(np.int64)
    if max_site_accelerators is not None:
        bad = acc > max_site_accelerators
        if bad.any():
            r = int(np.argmax(bad))
            raise _row_error(source, r + 1, "n_accelerators", int(acc[r]),
                             f"at most {max_site_accelerators} (the largest site)", jid[r])

    if "job_class" in frame.columns:
        cls = frame["job_class"].fillna("training").astype(str).to_numpy()
    else:
        cls = np.full(n, "training", dtype=object)
    bad = ~np.isin(cls, list(classes))
    if bad.any():
        r = int(np.argmax(bad))
        raise _row_error(source, r + 1, "job_class", cls[r], "one of " + ", ".join(classes), jid[r])
    f["job_class"] = cls

    dur_td = pd.to_timedelta(dur * 3600.0, unit="s")
    if "deadline_time" in frame.columns:
        f["deadline_time"] = _times(frame["deadline_time"], source, "deadline_time", jid)
    else:
        if "slack_h" in frame.columns:
            slack = pd.to_numeric(frame["slack_h"], errors="coerce").to_numpy(dtype=float)
            bad = ~(slack >= 0)
            if bad.any():
                r = int(np.argmax(bad))
                raise _row_error(source, r + 1, "slack_h", frame["slack_h"].iat[r],
                                 "a slack >= 0 h", jid[r])
        else:
            slack = np.array([classes[c].default_slack_h for c in cls], dtype=float)
        f["deadline_time"] = f["submit_time"] + dur_td + pd.to_timedelta(slack * 3600.0, unit="s")
    late = (f["deadline_time"] < f["submit_time"] + dur_td).to_numpy()
    if late.any():
        r = int(np.argmax(late))
        raise _row_error(source, r + 1, "deadline_time", str(f["deadline_time"].iat[r]),
                         "a deadline no earlier than submit_time + duration_h", jid[r])

    org = frame["origin_province"]
    bad = org.isna().to_numpy()
    if bad.any():
        r = int(np.argmax(bad))
        raise _row_error(source, r + 1, "origin_province", "empty", "a province name", jid[r])
    f["origin_province"] = org.astype(str).to_numpy()
    if "interruptible" in frame.columns:
        f["interruptible"] = _bools(frame["interruptible"], source, jid)
    else:
        f["interruptible"] = False

    sub = f["submit_time"].to_numpy()
    back = np.zeros(n, dtype=bool)
    back[1:] = sub[1:] < sub[:-1]
    if back.any():
        if require_sorted:
            r = int(np.argmax(back))
            raise _row_error(source, r + 1, "submit_time", str(f["submit_time"].iat[r]),
                             "rows sorted by submit_time (this row is earlier than the one before)",
                             jid[r])
        f = f.sort_values("submit_time", kind="stable").reset_index(drop=True)
    used = {c: classes[c] for c in pd.unique(f["job_class"])}
    return JobTable(f[list(JOB_COLUMNS)], used)


def _times(col: pd.Series, source: str, name: str, jid: np.ndarray) -> pd.Series:
    t = pd.to_datetime(col, errors="coerce", utc=True, format="mixed")
    bad = t.isna().to_numpy()
    if bad.any():
        r = int(np.argmax(bad))
        raise _row_error(source, r + 1, name, col.iat[r], "an ISO 8601 timestamp", jid[r])
    return t.dt.as_unit("ns").reset_index(drop=True)


def _bools(col: pd.Series, source: str, jid: np.ndarray) -> np.ndarray:
    truth = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    out = np.empty(len(col), dtype=bool)
    for r, v in enumerate(col.astype(str).str.strip().str.lower().to_numpy()):
        if v not in truth:
            raise _row_error(source, r + 1, "interruptible", col.iat[r], "true or false", jid[r])
        out[r] = truth[v]
    return out
