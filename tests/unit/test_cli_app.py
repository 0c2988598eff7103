"""The CLI entry point: help works, bad usage is one line with exit code 2."""

import subprocess
import sys


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "computegrid", *args],
                          capture_output=True, text=True, timeout=120)


def test_help_exits_zero():
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert "computegrid" in proc.stdout


def test_unknown_command_is_one_line_exit_2():
    proc = run_cli("no-such-command")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("error:")
    assert "Traceback" not in proc.stderr
