"""Planning runs start at the lowest CPU priority so that the HTTP server keeps its latency."""

import subprocess
import sys

from computegrid.services.runs import run_worker


def test_run_children_get_the_lowest_cpu_priority():
    child = subprocess.run([sys.executable, "-c", "import os; print(os.nice(0))"], capture_output=True,
                           text=True, preexec_fn=run_worker._limit_memory(None), check=True)
    assert run_worker.RUN_NICENESS == 19
    assert int(child.stdout) == 19


def test_run_children_are_in_the_idle_scheduling_class_on_linux():
    import os

    import pytest

    if not hasattr(os, "SCHED_IDLE"):
        pytest.skip("SCHED_IDLE is Linux only")
    child = subprocess.run([sys.executable, "-c", "import os; print(os.sched_getscheduler(0))"],
                           capture_output=True, text=True,
                           preexec_fn=run_worker._limit_memory(None), check=True)
    assert int(child.stdout) == os.SCHED_IDLE
