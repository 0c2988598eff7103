"""Run many independent model solves: serially or on Dask distributed, with one progress bar.

Each task is one call ``fn(**params)`` of a module-level (importable) function; tasks carry their
parameters, so a failed task is reported with them while the sweep goes on. Tasks must be
deterministic functions of their parameters: any randomness is drawn before the sweep from seeded
``numpy.random.SeedSequence`` streams (the adequacy sweep takes its AI loads from the outlook draws,
seeded per scenario and chunk) and passed in, so results do not depend on where or in which order
tasks run: a Dask run equals a serial run.

``workers=0`` runs in this process; ``workers=N`` starts a ``distributed.LocalCluster`` of N
single-threaded worker processes; ``scheduler="tcp://host:port"`` uses an existing cluster.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from computegrid.errors import InputError


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(**params)``; ``key`` names it in reports."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskOutcome:
    """What became of a task: its result, or the error with its parameters."""

    key: str
    params: Mapping[str, Any]
    ok: bool
    result: Any = None
    error: str | None = None


def _call(fn: Callable[..., Any], key: str, params: Mapping[str, Any]) -> TaskOutcome:
    """Run one task, turning an exception into a failed outcome (runs on the worker)."""
    try:
        return TaskOutcome(key, dict(params), True, fn(**params))
    except Exception as exc:  # noqa: BLE001 - a failed solve is reported, the sweep goes on
        last = traceback.extract_tb(exc.__traceback__)[-1:] or [None]
        where = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last[0] else ""
        return TaskOutcome(key, dict(params), False, None, f"{type(exc).__name__}: {exc}{where}")


def check_workers(workers: int | None, scheduler: str | None) -> None:
    """Validate the execution options (``--workers`` >= 0; a scheduler address looks like one)."""
    if workers is not None and (isinstance(workers, bool) or workers < 0):
        raise InputError("--workers", workers, "a number of worker processes >= 0 (0 = in this process)")
    if scheduler is not None and "://" not in scheduler:
        raise InputError("--scheduler", scheduler, "an address such as tcp://host:8786")


def run_sweep(fn: Callable[..., Any], tasks: Sequence[Task], workers: int = 2, scheduler: str | None = None,
              progress: bool = True, description: str = "solves", console=None) -> list[TaskOutcome]:
    """Run every task and return the outcomes in task order.

    Parameters
    ----------
    fn : callable
        Module-level function called as ``fn(**task.params)``; must be importable by the workers.
    tasks : sequence of Task
        The work. Keys should be unique.
    workers : int, default 2
        Worker processes of a new LocalCluster; 0 runs serially in this process.
    scheduler : str, optional
        Address of an existing Dask scheduler (overrides ``workers``).
    progress : bool, default True
        Show a rich progress bar (done/total) on stderr.
    description : str
        Label of the progress bar.
    console : rich.console.Console, optional
        Console to draw on (default: stderr).
    """
    check_workers(workers, scheduler)
    outcomes: list[TaskOutcome | None] = [None] * len(tasks)
    with _progress(progress, console) as bar:
        bar_id = bar.add_task(description, total=len(tasks)) if bar is not None else None

        def done(i: int, outcome: TaskOutcome) -> None:
            outcomes[i] = outcome
            if bar is not None:
                bar.advance(bar_id)

        if scheduler is None and workers == 0:
            for i, t in enumerate(tasks):
                done(i, _call(fn, t.key, t.params))
        else:
            _run_dask(fn, tasks, workers, scheduler, done)
    return [o for o in outcomes if o is not None]


def _run_dask(fn, tasks, workers, scheduler, done) -> None:
    # The cluster's INFO chatter would break the progress bar and the JSON output; its shutdown messages
    # arrive from the event-loop thread after the run, so the level is not restored afterwards.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    _run_dask_quiet(fn, tasks, workers, scheduler, done)


def _run_dask_quiet(fn, tasks, workers, scheduler, done) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError("--scheduler", scheduler, f"a reachable Dask scheduler ({exc})") from None
    try:
        index = {}
        futures = []
        for i, t in enumerate(tasks):
            fut = client.submit(_call, fn, t.key, dict(t.params), pure=False)
            index[fut.key] = i
            futures.append(fut)
        for fut in as_completed(futures):
            i = index[fut.key]
            t = tasks[i]
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a worker died during the solve
                outcome = TaskOutcome(t.key, dict(t.params), False, None, f"{type(exc).__name__}: {exc}")
            done(i, outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _NoBar:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(enabled: bool, console):
    if not enabled:
        return _NoBar()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console or Console(stderr=True), transient=False)
