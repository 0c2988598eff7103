"""Digitise the hourly request rate of the Azure LLM inference traces of 2024 (one week each).

Run once by a maintainer; the package never runs it. Usage::

    python tools/digitise_azure_llm_profile.py --notebook <AzureLLMInferenceDataset2024.ipynb> \
        --out src/computegrid/datasets/data/workload/azure_llm_2024_hourly_requests.csv

Why digitised: the week-long traces themselves (16.8 M coding and 27.3 M conversation requests,
Stojkovic et al., "DynamoLLM", HPCA 2025; CC BY 4.0) are only on Azure blob storage, which this
project cannot reach. The notebook ``analysis/AzureLLMInferenceDataset2024.ipynb`` of
Azure/AzurePublicDataset (commit b469a11) embeds the published figure "Number of invocations per
minute" of each trace as PNG (matplotlib, 1,490 x 490 px). This script reads that figure:

1. the plot frame (the two long vertical and horizontal dark lines) gives the pixel box; the x axis
   spans the trace's first to last minute (pandas sets the limits to the data range: 7 days), the
   y axis starts at 0 (the notebook's ``ylim=0``);
2. the horizontal grid lines (light grey) are the y ticks 1,000, 2,000, ... requests per minute;
3. in each pixel column (about 7.2 minutes) the plotted line (matplotlib's default blue) covers the
   minimum-to-maximum of the minute counts it joins; the column's value is the middle of that span;
4. the columns are averaged per UTC hour.

Accuracy: one pixel is about 15 requests per minute against daily means of 1,000-4,000; the middle of
the span estimates the mean of the minute counts, so short spikes are under-weighted. Good enough for
a diurnal shape, not for request counts.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

#: Trace name -> (notebook cell output index, first timestamp of the trace, UTC); the notebook's
#: cell 18 plots "Coding" then "Conversation" (TRACE_NAMES order), text outputs of cells 5 and 6
#: give the first and last request.
TRACES = {"coding": (0, "2024-05-10"), "conversation": (1, "2024-05-12")}
TRACE_DAYS = 7
BLUE_RGB = (31, 119, 180)  # matplotlib "tab:blue"
GRID_RGB = (176, 176, 176)  # matplotlib grid lines (#b0b0b0)
GRID_STEP_REQ_PER_MIN = 1000.0  # y tick spacing of both figures (read off the figures)


def figure_pngs(notebook: Path) -> list[np.ndarray]:
    """Return the RGB arrays of the invocation-per-minute figures (cell with ``plt_invocations_time``)."""
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "plt_invocations_time(df_trace)" in "".join(cell["source"]):
            return [np.asarray(Image.open(io.BytesIO(base64.b64decode(o["data"]["image/png"]))).convert("RGB"))
                    .astype(int) for o in cell["outputs"] if "image/png" in o.get("data", {})]
    raise SystemExit("no invocation figure found in the notebook")


def near(rgb: np.ndarray, colour: tuple[int, int, int], tol: int) -> np.ndarray:
    """Boolean mask of the pixels within ``tol`` of ``colour`` in every channel."""
    return np.all(np.abs(rgb - np.array(colour)) < tol, axis=2)


def digitise(rgb: np.ndarray) -> np.ndarray:
    """Requests per minute in each pixel column of the plot box, left to right."""
    h, w, _ = rgb.shape
    dark = rgb.sum(axis=2) < 150
    cols = np.where(dark.sum(axis=0) > 0.4 * h)[0]
    rows = np.where(dark.sum(axis=1) > 0.5 * w)[0]
    x0, x1, y_top, y0 = cols.min(), cols.max(), rows.min(), rows.max()
    grid = near(rgb, GRID_RGB, 20)
    grid_rows = np.array([r for r in range(y_top + 1, y0) if grid[r, x0:x1].sum() > 0.2 * (x1 - x0)])
    px_per_step = abs(np.mean(np.diff(np.sort(np.r_[grid_rows, y0]))))
    blue = near(rgb, BLUE_RGB, 40)
    values = []
    for c in range(x0 + 1, x1):
        r = np.where(blue[y_top:y0, c])[0] + y_top
        values.append(np.nan if len(r) == 0 else (y0 - (r.min() + r.max()) / 2.0) / px_per_step
                      * GRID_STEP_REQ_PER_MIN)
    return np.array(values)


def hourly(values: np.ndarray, start: str) -> pd.Series:
    """Average the pixel columns per UTC hour of the trace's week."""
    minutes = (np.arange(len(values)) + 0.5) * TRACE_DAYS * 1440 / len(values)
    t = pd.Timestamp(start, tz="UTC") + pd.to_timedelta(minutes, unit="min")
    s = pd.Series(values, index=t).resample("1h").mean()
    return s.iloc[: TRACE_DAYS * 24]


def main() -> None:
    """Write the hourly request rates of both traces as one tidy CSV."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebook", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    figs = figure_pngs(args.notebook)
    frames = []
    for trace, (i, start) in TRACES.items():
        s = hourly(digitise(figs[i]), start)
        frames.append(pd.DataFrame({"timestamp_utc": s.index.strftime("%Y-%m-%dT%H:%MZ"), "trace": trace,
                                    "requests_per_min": s.round(0).to_numpy()}))
    out = pd.concat(frames, ignore_index=True)
    header = ("# Azure LLM inference traces 2024 (Stojkovic et al., DynamoLLM, HPCA 2025; CC BY 4.0), "
              "hourly mean requests per minute digitised from the figures of "
              "Azure/AzurePublicDataset analysis/AzureLLMInferenceDataset2024.ipynb (commit b469a11) "
              "by tools/digitise_azure_llm_profile.py\n")
    args.out.write_text(header + out.to_csv(index=False))


if __name__ == "__main__":
    main()
