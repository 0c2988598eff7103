"""Chart of a plan sweep: system cost and CO2 of each scenario against the swept key (PNG)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from computegrid.io.atomic import atomic_write

_COLOURS = {"status-quo": "#7f7f7f", "west-static": "#ff7f0e", "grid-responsive": "#9467bd", "co-optimised": "#1f77b4"}


def sweep_chart(table: pd.DataFrame, keys: list[str], path: Path) -> Path:
    """Two panels (cost [bn CNY/yr], CO2 [Mt/yr]) against the first swept key.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per point and scenario: the swept keys, ``scenario``,
        ``system_cost_cny_per_year`` [CNY/yr], ``emissions_mt_co2_per_year`` [Mt/yr].
    keys : list of str
        Swept keys; the first is the x axis. With a second key only the co-optimised
        scenario is drawn, one line per value of the second key.
    path : pathlib.Path
        PNG file to write.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x_key = keys[0]
    numeric = pd.api.types.is_numeric_dtype(table[x_key])
    levels = list(dict.fromkeys(table[x_key]))
    fig = Figure(figsize=(10, 4), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2)
    if len(keys) > 1:
        groups = [(f"{keys[1]}={v}", table[(table["scenario"] == "co-optimised") & (table[keys[1]] == v)], None)
                  for v in dict.fromkeys(table[keys[1]])]
    else:
        groups = [(name, table[table["scenario"] == name], _COLOURS.get(name)) for name in dict.fromkeys(table["scenario"])]
    for ax, col, scale, label in ((axes[0], "system_cost_cny_per_year", 1e-9, "system cost [bn CNY/yr]"),
                                  (axes[1], "emissions_mt_co2_per_year", 1.0, "CO2 [Mt/yr]")):
        for name, rows, colour in groups:
            xs = rows[x_key] if numeric else [levels.index(v) for v in rows[x_key]]
            ax.plot(xs, rows[col] * scale, marker="o", label=name, color=colour)
        if not numeric:
            ax.set_xticks(range(len(levels)), [str(v) for v in levels])
        ax.set_xlabel(x_key)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))
