"""``computegrid keys`` and ``computegrid serve``: keys printed once, bad input one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_cli(*args, cwd=None):
    env = dict(os.environ)  # absolute PYTHONPATH, so that another cwd still finds the sources
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in
                                        env.get("PYTHONPATH", "").split(os.pathsep) if p)
    return subprocess.run([sys.executable, "-m", "computegrid", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env=env)


def test_keys_create_list_revoke(tmp_path):
    db = f"sqlite:///{tmp_path}/k.db"
    created = run_cli("keys", "create", "--name", "ci", "--db", db, "--json")
    assert created.returncode == 0, created.stderr
    record = json.loads(created.stdout)
    assert record["api_key"].startswith("cg_")
    listed = run_cli("keys", "list", "--db", db, "--json")
    keys = json.loads(listed.stdout)["keys"]
    assert [k["name"] for k in keys] == ["ci"]
    assert record["api_key"] not in listed.stdout  # only the prefix is ever shown again
    revoked = run_cli("keys", "revoke", str(record["key_id"]), "--db", db)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout


def test_keys_revoke_unknown_is_one_line(tmp_path):
    proc = run_cli("keys", "revoke", "42", "--db", f"sqlite:///{tmp_path}/k.db")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: KEY_ID") and proc.stderr.count("\n") == 1


def test_serve_bad_options_are_one_line(tmp_path):
    for args, field in ((["--port", "70000"], "--port"), (["--db", "mysql://x"], "--db"),
                        (["--workers", "0"], "--workers"),
                        (["--signals", str(tmp_path / "missing.csv")], "--signals"),
                        (["--plan-time-limit-s", "inf"], "--plan-time-limit-s")):
        proc = run_cli("serve", *args, cwd=tmp_path)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith(f"error: {field}"), proc.stderr
        assert "Traceback" not in proc.stderr


def test_keys_create_scope_expiry_and_finite_limits(tmp_path):
    db = f"sqlite:///{tmp_path}/k.db"
    made = run_cli("keys", "create", "--name", "r", "--scope", "read", "--expires-in", "12h",
                   "--db", db, "--json")
    assert made.returncode == 0, made.stderr
    record = json.loads(made.stdout)
    assert record["scope"] == "read" and record["expires_at"]
    for args, field in ((["--rate-limit-per-s", "inf"], "--rate-limit-per-s"),
                        (["--rate-limit-per-s", "nan"], "--rate-limit-per-s"),
                        (["--scope", "root"], "--scope"),
                        (["--expires-in", "forever"], "--expires-in"),
                        (["--min-resolution-h", "5"], "--min-resolution-h")):
        proc = run_cli("keys", "create", "--name", "x", "--db", db, *args)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith(f"error: {field}") and proc.stderr.count("\n") == 1


def test_runs_publish(tmp_path):
    from computegrid.services.runs.store import open_store

    db = f"sqlite:///{tmp_path}/p.db"
    store = open_store(db)
    run = store.create_run("plan", {})
    store.close()
    proc = run_cli("runs", "publish", run.id, "--db", db)
    assert proc.returncode == 2 and "RUN_ID" in proc.stderr  # not succeeded yet
    store = open_store(db)
    store.claim_run(run.id)
    store.finish_run(run.id, {"status": "ok"})
    store.close()
    proc = run_cli("runs", "publish", run.id, "--db", db)
    assert proc.returncode == 0 and "published" in proc.stdout
