"""Worker pool that executes planning runs, one child process per run, with a time limit.

Each run executes in a fresh Python process (``python -m computegrid.services.runs.run_job``), so a
run that exceeds its time limit can be killed without harming the server, and a crash in a solver
cannot take the server down. The child writes into ``runs/.tmp-<id>/``; the pool moves that
folder to ``runs/<id>/`` with one ``os.replace`` only after the child succeeded, so a reader
never sees a half-written run folder.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from computegrid.services.runs.store import RunStore

#: The runner used by planning runs: "module:function", called as fn(params, out_dir) -> summary.
DEFAULT_PLAN_RUNNER = "computegrid.services.plan.plan_runs:run_plan_job"


@dataclass(frozen=True)
class WorkerSettings:
    """Configuration of the worker pool.

    Parameters
    ----------
    runs_dir : Path
        Folder that receives ``<run-id>/`` result folders.
    n_workers : int
        Runs executed at the same time. [-]
    time_limit_s : float
        Wall-clock limit of one run; the child is killed when it is exceeded. [s]
    runner : str
        ``module:function`` executed in the child process.
    heartbeat_s : float
        Interval at which the pool renews the leases of its running runs. [s]
    lease_s : float
        A running run whose lease was not renewed for this long lost its worker (the server
        crashed) and is marked failed. assumption: 5 missed heartbeats. [s]
    poll_s : float
        Idle workers look for queued runs in the store this often (runs queued by another
        server process on the same store, or left queued by a stopped one). [s]
    max_attempts : int
        A run cut off (crash, lease expired, or graceful stop) is started again until it has
        had this many attempts, then failed with the reason. [-]
    memory_limit_bytes : int, optional
        Address-space limit (``RLIMIT_AS``) of each run's child process; a run that needs more
        fails with "memory limit exceeded". ``None``: no limit. [B]
    """

    runs_dir: Path
    n_workers: int = 1
    time_limit_s: float = 900.0
    runner: str = DEFAULT_PLAN_RUNNER
    heartbeat_s: float = 2.0
    lease_s: float = 10.0
    poll_s: float = 2.0
    max_attempts: int = 3
    memory_limit_bytes: int | None = None


class RunWorkerPool:
    """Threads that take run ids from a queue and execute each in a child process."""

    def __init__(self, store: RunStore, settings: WorkerSettings):
        self.store = store
        self.settings = settings
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._children: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def start(self) -> None:
        """Fail runs whose worker is gone, clean their temporary folders, start the threads.

        Queued runs (left by a stopped server, or queued by another process) are found by the
        workers' polling of the store, oldest first.
        """
        self.settings.runs_dir.mkdir(parents=True, exist_ok=True)
        self.store.expire_leases(self.settings.lease_s, self.settings.max_attempts)
        self._clean_leftovers()
        for i in range(self.settings.n_workers):
            thread = threading.Thread(target=self._loop, name=f"run-worker-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        keeper = threading.Thread(target=self._keep_leases, name="run-leases", daemon=True)
        keeper.start()
        self._threads.append(keeper)

    def _clean_leftovers(self) -> None:
        for leftover in self.settings.runs_dir.glob(".tmp-*"):
            run_id = leftover.name[len(".tmp-"):].split("-", 1)[0]
            run = self.store.get_run(run_id)
            if run is None or run.status != "running":  # cut off; nobody will finish it
                shutil.rmtree(leftover, ignore_errors=True)

    def _keep_leases(self) -> None:
        while not self._stopping.wait(self.settings.heartbeat_s):
            try:
                with self._lock:
                    mine = list(self._children)
                self.store.heartbeat(mine, self.worker_id)
                if any(self.store.expire_leases(self.settings.lease_s,
                                                self.settings.max_attempts)):
                    self._clean_leftovers()
            except Exception:  # noqa: BLE001 - store briefly unreachable: try again next beat
                pass

    def submit(self, run_id: str) -> None:
        """Queue a run that is already stored with status ``queued``."""
        self._queue.put(run_id)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking runs. Runs cut off by a graceful stop go back to the queue and start
        again at the next start (after a crash: when their lease expires), until they have had
        ``max_attempts`` attempts; then they are failed with the reason."""
        self._stopping.set()
        for _ in range(self.settings.n_workers):
            self._queue.put(None)
        with self._lock:
            children = dict(self._children)
        for run_id, child in children.items():
            _kill(child)
            try:
                self.store.requeue_run(run_id, self.settings.max_attempts)
            except Exception:  # noqa: BLE001 - store gone; the lease expires instead
                pass
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads.clear()

    # --- internals ------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                run_id = self._queue.get(timeout=self.settings.poll_s)
            except queue.Empty:
                run_id = self._next_queued_in_store()
                if run_id is None:
                    continue
            if run_id is None or self._stopping.is_set():
                return
            try:
                if self.store.claim_run(run_id, self.worker_id):
                    self._execute(run_id)
            except Exception as exc:  # noqa: BLE001 - a worker thread must survive any run
                try:
                    self.store.fail_run(run_id, f"internal error ({type(exc).__name__}): {exc}")
                except Exception:  # noqa: BLE001 - store unreachable; its lease expires
                    pass

    def _next_queued_in_store(self) -> str | None:
        try:
            queued = self.store.queued_run_ids(limit=1)
        except Exception:  # noqa: BLE001 - store briefly unreachable
            return None
        return queued[0] if queued else None

    def _execute(self, run_id: str) -> None:
        run = self.store.get_run(run_id)
        if run is None:
            return
        runs_dir = self.settings.runs_dir
        tmp_dir = Path(tempfile.mkdtemp(prefix=f".tmp-{run_id}-", dir=runs_dir))
        request = tmp_dir / "_request.json"
        request.write_text(json.dumps({"runner": self.settings.runner, "params": run.params,
                                       "run_id": run_id,
                                       "memory_limit_bytes": self.settings.memory_limit_bytes}))
        log_path = tmp_dir / "_run.log"
        with open(log_path, "wb") as log:
            child = subprocess.Popen(
                [sys.executable, "-m", "computegrid.services.runs.run_job", str(tmp_dir)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, env=_child_env())  # limits: run_job.limit_this_process
            with self._lock:
                self._children[run_id] = child
            try:
                code = child.wait(timeout=self.settings.time_limit_s)
            except subprocess.TimeoutExpired:
                _kill(child)
                code = None
            finally:
                with self._lock:
                    self._children.pop(run_id, None)
        if self._stopping.is_set():
            shutil.rmtree(tmp_dir, ignore_errors=True)
            return
        if code is None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            self.store.fail_run(run_id, f"time limit exceeded: the run took longer than "
                                        f"{self.settings.time_limit_s:g} s and was stopped")
            return
        result_path = tmp_dir / "_result.json"
        result = json.loads(result_path.read_text()) if result_path.exists() else None
        if code != 0 or result is None or "summary" not in result:
            reason = (result or {}).get("error") or _tail(log_path) or f"exit code {code}"
            if "MemoryError" in reason or "std::bad_alloc" in reason:
                limit_mb = (self.settings.memory_limit_bytes or 0) / 2**20
                reason = f"memory limit exceeded ({limit_mb:.0f} MB per run): {reason}"[:2000]
            shutil.rmtree(tmp_dir, ignore_errors=True)
            self.store.fail_run(run_id, reason)
            return
        for name in ("_request.json", "_result.json", "_run.log"):
            (tmp_dir / name).unlink(missing_ok=True)
        final_dir = runs_dir / run_id
        if final_dir.exists():  # left by an earlier attempt; the new result replaces it
            shutil.rmtree(final_dir)
        os.replace(tmp_dir, final_dir)  # atomic on one file system
        self.store.finish_run(run_id, result["summary"])


def _kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        child.wait(5)
    except subprocess.TimeoutExpired:
        pass


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import the same computegrid as the server, installed or from a source tree.
    import computegrid

    src = str(Path(computegrid.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    return env


def _tail(path: Path, n_chars: int = 600) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return text[-n_chars:].replace("\n", " | ")
