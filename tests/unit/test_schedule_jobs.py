"""Job traces: bundled readers and validation of user traces (one message naming the row)."""

import pandas as pd
import pytest

from computegrid.errors import DataFileError, InputError
from computegrid.io.scheduling_files import read_jobs_csv
from computegrid.scheduling.jobs import make_jobs
from computegrid.scheduling.traces import azure_llm_jobs, llm_accelerator_s, philly_jobs


def good_frame():
    return pd.DataFrame({
        "job_id": ["a", "b", "c"],
        "submit_time": ["2021-01-01T00:00:00Z", "2021-01-01T00:30:00Z", "2021-01-01T02:00:00Z"],
        "n_accelerators": [1, 8, 2],
        "duration_h": [1.5, 0.25, 3.0],
        "job_class": ["training", "batch", "online"],
        "origin_province": ["Beijing", "SH", "Guangdong"],
    })


def test_philly_trace_has_every_job_sorted_with_classes():
    jobs = philly_jobs()
    f = jobs.frame
    assert len(jobs) == 82_247  # SOURCE.txt of the trace: 82,247 jobs
    assert f["submit_time"].is_monotonic_increasing
    assert f["job_id"].is_unique
    assert set(f["job_class"]) == {"batch", "training"}
    assert (f.loc[f["job_class"] == "batch", "duration_h"] < 1.0).all()
    assert f["n_accelerators"].max() == 128 and f["n_accelerators"].min() == 1
    slack = jobs.slack_h()
    assert slack[(f["job_class"] == "training").to_numpy()] == pytest.approx(24.0)


def test_azure_llm_trace_gives_hourly_online_jobs():
    jobs = azure_llm_jobs()
    f = jobs.frame
    assert len(f) == 4  # two services x two clock hours in the ~1 h window
    assert (f["job_class"] == "online").all() and (f["duration_h"] == 1.0).all()
    assert (f["n_accelerators"] >= 1).all()
    # FLOP model: 2 x 70e9 x (1000 / 0.5) / 989e12 s for 1,000 prompt tokens
    assert llm_accelerator_s(1000, 0) == pytest.approx(2 * 70e9 * 2000 / 989e12)


def test_defaults_fill_class_deadline_and_interruptible():
    f = good_frame().drop(columns=["job_class"])
    jobs = make_jobs(f)
    assert (jobs.frame["job_class"] == "training").all()
    assert jobs.slack_h() == pytest.approx([24.0, 24.0, 24.0])
    assert not jobs.frame["interruptible"].any()


@pytest.mark.parametrize("mutate, field, row", [
    (lambda f: f.drop(columns=["duration_h"]), "columns", None),
    (lambda f: f.assign(duration_h=[1.0, -2.0, 1.0]), "column duration_h", 2),
    (lambda f: f.assign(job_id=["a", "b", "a"]), "column job_id", 3),
    (lambda f: f.assign(submit_time=["2021-01-01T03:00:00Z", "2021-01-01T00:30:00Z",
                                     "2021-01-01T04:00:00Z"]), "column submit_time", 2),
    (lambda f: f.assign(n_accelerators=[1, 500, 2]), "column n_accelerators", 2),
    (lambda f: f.assign(job_class=["training", "gaming", "online"]), "column job_class", 2),
    (lambda f: f.assign(submit_time=["2021-01-01", "not a time", "2021-01-02"]), "column submit_time", 2),
])
def test_bad_traces_name_the_row(mutate, field, row):
    with pytest.raises(DataFileError) as err:
        make_jobs(mutate(good_frame()), source="t.csv", max_site_accelerators=64)
    msg = str(err.value)
    assert field in msg and "\n" not in msg
    if row is not None:
        assert f"row {row}" in msg


def test_read_csv_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError):
        read_jobs_csv(tmp_path / "nope.csv")
    p = tmp_path / "jobs.csv"
    good_frame().to_csv(p, index=False)
    assert len(read_jobs_csv(p)) == 3
