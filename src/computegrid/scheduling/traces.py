"""Readers for the bundled real traces: Microsoft Philly (GPU jobs) and Azure LLM inference.

Mapping to the job model (every choice not in the trace is an assumption, stated here and
in docs/scheduling.md):

Philly (Jeon et al., ATC'19; 82,247 jobs, 2017-09-04..2017-12-22):
- ``submit_time`` = trace timestamp (read as UTC), ``duration_h`` = duration [s] / 3,600,
  ``n_accelerators`` = num_gpus. Sorted by submit time (stable); ids ``philly-000001``...
  in that order.
- class: ``batch`` if the run is shorter than 1 h (short experiments and debugging runs,
  which Jeon et al. find make up most jobs), else ``training``. Deadline = submit +
  duration + the class's default slack (4 h and 24 h, assumptions in
  :data:`~computegrid.scheduling.jobs.DEFAULT_CLASSES`).
- origin: the 15 virtual clusters (teams) are put round-robin, largest first, in the five
  provinces of the eastern hub nodes with the most data-centre demand: Beijing, Shanghai,
  Guangdong, Zhejiang, Jiangsu (assumption: the trace carries no location).
- interruptible: ``training`` jobs yes (they checkpoint), ``batch`` no. The policies do not
  pre-empt (a conservative choice); the flag is carried for callers.

Azure LLM inference (Patel et al., Splitwise, ISCA'24; 2023-11-16, about one hour of the
``code`` and ``conv`` services): requests are aggregated per service and hour; each
service-hour becomes one ``online`` job of one hour whose accelerator count is the mean
number of accelerators busy that hour, from tokens with a FLOP model (see
:func:`llm_accelerator_s`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.datasets.traces import load_azure_llm_raw, load_philly_raw
from computegrid.scheduling.jobs import DEFAULT_CLASSES, JobClass, JobTable, make_jobs

#: Origin provinces given round-robin to Philly's virtual clusters (assumption, see module doc).
PHILLY_ORIGINS = ("Beijing", "Shanghai", "Guangdong", "Zhejiang", "Jiangsu")

#: Duration below which a Philly job is ``batch`` rather than ``training``. [h] (assumption)
PHILLY_BATCH_MAX_H = 1.0

#: Parameters of the LLM FLOP model (see :func:`llm_accelerator_s`).
#: Llama-2-70B: one of the models served in Splitwise's evaluation (Patel et al., ISCA'24).
LLM_PARAMS = 70e9
#: H100 SXM dense BF16 peak, 989 TFLOPS (NVIDIA H100 datasheet).
ACCELERATOR_PEAK_FLOPS = 989e12
#: assumption: model-FLOPs utilisation of the compute-bound prompt phase.
PREFILL_MFU = 0.5
#: assumption: utilisation of the memory-bound token phase (Splitwise: token generation
#: under-uses compute); 5% of peak.
DECODE_MFU = 0.05


def philly_jobs(classes: dict[str, JobClass] | None = None,
                max_site_accelerators: int | None = None) -> JobTable:
    """Jobs of the Microsoft Philly trace (mapping in the module docstring).

    Returns
    -------
    JobTable
        82,247 jobs.
    """
    raw = load_philly_raw()
    raw = raw.assign(submit_time=pd.to_datetime(raw["timestamp"], utc=True))
    raw = raw.sort_values("submit_time", kind="stable").reset_index(drop=True)
    dur_h = raw["duration_s"].to_numpy(dtype=float) / 3600.0
    order = raw["cluster"].value_counts().index  # largest first; ties by first appearance
    origin = {c: PHILLY_ORIGINS[i % len(PHILLY_ORIGINS)] for i, c in enumerate(order)}
    is_batch = dur_h < PHILLY_BATCH_MAX_H
    frame = pd.DataFrame({
        "job_id": [f"philly-{i:06d}" for i in range(1, len(raw) + 1)],
        "submit_time": raw["submit_time"],
        "n_accelerators": raw["num_gpus"].to_numpy(),
        "duration_h": dur_h,
        "job_class": np.where(is_batch, "batch", "training"),
        "origin_province": raw["cluster"].map(origin).to_numpy(),
        "interruptible": ~is_batch,
    })
    return make_jobs(frame, source="philly", classes=classes or DEFAULT_CLASSES,
                     max_site_accelerators=max_site_accelerators)


def llm_accelerator_s(context_tokens, generated_tokens, n_params: float = LLM_PARAMS,
                      peak_flops: float = ACCELERATOR_PEAK_FLOPS,
                      prefill_mfu: float = PREFILL_MFU, decode_mfu: float = DECODE_MFU):
    """Accelerator time to serve LLM tokens.

    Parameters
    ----------
    context_tokens, generated_tokens : array_like
        Prompt and generated tokens. [-]
    n_params : float
        Model parameters. [-]
    peak_flops : float
        Accelerator peak. [FLOP/s]
    prefill_mfu, decode_mfu : float
        Fraction of peak achieved in the prompt and the token phase. [-]

    Returns
    -------
    ndarray
        Accelerator busy time. [s]

    Notes
    -----
    A forward pass costs about 2 FLOP per parameter per token (Kaplan et al., "Scaling Laws
    for Neural Language Models", arXiv:2001.08361, 2020): t = 2 N (c / u_p + g / u_d) / P.
    """
    c = np.asarray(context_tokens, dtype=float)
    g = np.asarray(generated_tokens, dtype=float)
    return 2.0 * n_params * (c / prefill_mfu + g / decode_mfu) / peak_flops


def azure_llm_jobs(origin_province: str = "Shanghai",
                   classes: dict[str, JobClass] | None = None) -> JobTable:
    """Online jobs from the Azure LLM inference trace, one per service and hour.

    Parameters
    ----------
    origin_province : str
        Where the users are (assumption: the trace carries no location; default Shanghai,
        the Yangtze River Delta hub).

    Returns
    -------
    JobTable
        One ``online`` job per service-hour, 1 h long, no slack, asking for the mean number
        of accelerators busy in that hour (rounded up).
    """
    raw = load_azure_llm_raw()
    busy_s = llm_accelerator_s(raw["context_tokens"], raw["generated_tokens"])
    rate = busy_s / raw["observed_s"].to_numpy(dtype=float)  # accelerators busy on average
    frame = pd.DataFrame({
        "job_id": [f"azure-llm-{s}-{t:%Y%m%dT%H}" for s, t in zip(raw["service"], raw["timestamp"])],
        "submit_time": raw["timestamp"],
        "n_accelerators": np.ceil(rate).astype(int),
        "duration_h": 1.0,
        "job_class": "online",
        "origin_province": origin_province,
        "interruptible": False,
    }).sort_values("submit_time", kind="stable").reset_index(drop=True)
    return make_jobs(frame, source="azure-llm", classes=classes or DEFAULT_CLASSES)
