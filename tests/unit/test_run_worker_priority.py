"""Planning runs start at the lowest CPU priority so that the HTTP server keeps its latency."""

import os
import subprocess
import sys

import pytest

from computegrid.services.runs import run_job


def _in_child(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          preexec_fn=lambda: run_job.limit_this_process(None), check=True).stdout


def test_run_children_get_the_lowest_cpu_priority():
    assert run_job.RUN_NICENESS == 19
    assert int(_in_child("import os; print(os.nice(0))")) == 19


def test_run_children_are_in_the_idle_scheduling_class_on_linux():
    if not hasattr(os, "SCHED_IDLE"):
        pytest.skip("SCHED_IDLE is Linux only")
    assert int(_in_child("import os; print(os.sched_getscheduler(0))")) == os.SCHED_IDLE

