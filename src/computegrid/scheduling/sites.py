"""Data-centre sites as the scheduler sees them: where they are, their PUE and accelerators."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError

#: Columns of a site table (index ``site``).
SITE_COLUMNS = ("province", "latitude_deg", "longitude_deg", "pue", "n_accelerators")


@dataclass(frozen=True)
class SiteTable:
    """Sites available to the scheduler.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index ``site``; columns ``province`` (code), ``latitude_deg``, ``longitude_deg`` [deg],
        ``pue`` [-], ``n_accelerators`` (accelerators installed) [-].
    """

    frame: pd.DataFrame

    @property
    def ids(self) -> list[str]:
        return list(self.frame.index)

    @cached_property
    def capacity(self) -> np.ndarray:
        """Accelerators per site, in ``ids`` order (computed once; read-only). [-]"""
        return _read_only(self.frame["n_accelerators"].to_numpy(dtype=np.int64))

    @cached_property
    def pue(self) -> np.ndarray:
        """PUE per site, in ``ids`` order (computed once; read-only). [-]"""
        return _read_only(self.frame["pue"].to_numpy(dtype=float))

    def __len__(self) -> int:
        return len(self.frame)


def _read_only(values: np.ndarray) -> np.ndarray:
    values = values.copy()
    values.setflags(write=False)
    return values


def make_sites(frame: pd.DataFrame, source: str = "sites") -> SiteTable:
    """Validate a site frame (index or column ``site``) and return a :class:`SiteTable`.

    Raises
    ------
    DataFileError
        Missing columns, duplicate ids, coordinates out of range, PUE < 1, accelerators < 1,
        unknown province: one message naming the row.
    """
    from computegrid.datasets.grid import province_code

    f = frame.copy()
    if "site" in f.columns:
        f = f.set_index("site")
    f.index = f.index.astype(str)
    f.index.name = "site"
    missing = [c for c in SITE_COLUMNS if c not in f.columns]
    if missing:
        raise DataFileError(f"{source}: columns", ", ".join(missing) + " missing",
                            "sites need the columns site, " + ", ".join(SITE_COLUMNS))
    if len(f) == 0:
        raise DataFileError(f"{source}: rows", 0, "at least one site")
    dup = f.index.duplicated()
    if dup.any():
        r = int(np.argmax(dup))
        raise DataFileError(f"{source}: row {r + 1}, column site", f.index[r], "unique site ids")
    checks = {
        "latitude_deg": (lambda v: (v >= -90) & (v <= 90), "a latitude in [-90, 90] deg"),
        "longitude_deg": (lambda v: (v >= -180) & (v <= 180), "a longitude in [-180, 180] deg"),
        "pue": (lambda v: v >= 1.0, "a PUE >= 1"),
        "n_accelerators": (lambda v: (v >= 1) & (v == np.round(v)), "a whole number >= 1"),
    }
    for col, (ok, allowed) in checks.items():
        vals = pd.to_numeric(f[col], errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(vals) & ok(vals))
        if bad.any():
            r = int(np.argmax(bad))
            raise DataFileError(f"{source}: row {r + 1} (site {f.index[r]!r}), column {col}",
                                f[col].iat[r], allowed)
        f[col] = vals
    f["n_accelerators"] = f["n_accelerators"].astype(np.int64)
    codes = []
    for r, p in enumerate(f["province"].astype(str)):
        try:
            codes.append(province_code(p))
        except DataFileError:
            raise DataFileError(f"{source}: row {r + 1} (site {f.index[r]!r}), column province", p,
                                "a province name or code of mainland China") from None
    f["province"] = codes
    return SiteTable(f[list(SITE_COLUMNS)])


def default_sites(n_accelerators_per_site: int) -> SiteTable:
    """The grid model's candidate sites (``computegrid.datasets.grid.load_sites``), each with
    the same number of accelerators.

    Parameters
    ----------
    n_accelerators_per_site : int
        Accelerators at every site. [-]
    """
    from computegrid.datasets.grid import load_sites

    s = load_sites()
    f = s[["province", "latitude_deg", "longitude_deg", "pue"]].copy()
    f["n_accelerators"] = int(n_accelerators_per_site)
    return make_sites(f, source="load_sites()")


def origin_latency_ms(origins, sites: SiteTable) -> tuple[np.ndarray, np.ndarray]:
    """Round-trip time from each origin province to each site.

    Parameters
    ----------
    origins : sequence of str
        Province names or codes, one per job (repeats allowed).

    Returns
    -------
    codes_index : ndarray of int
        For each job, the row of its origin in ``latency``.
    latency : ndarray
        ``unique origins x sites`` round-trip times. [ms]
    """
    from computegrid.datasets.grid import load_provinces, province_code
    from computegrid.facility.latency import latency_matrix_ms

    origins = pd.Series(np.asarray(origins, dtype=object))
    uniq = pd.unique(origins)
    codes = {}
    for name in uniq:
        try:
            codes[name] = province_code(name)
        except DataFileError:
            r = int(np.argmax(origins.to_numpy() == name))
            raise DataFileError(f"trace: row {r + 1}, column origin_province", name,
                                "a province name or code of mainland China") from None
    prov = load_provinces()
    code_list = sorted(set(codes.values()))
    lat = latency_matrix_ms(prov.loc[code_list], sites.frame)
    row = {c: i for i, c in enumerate(code_list)}
    idx = origins.map(lambda n: row[codes[n]]).to_numpy(dtype=np.int64)
    return idx, lat.to_numpy(dtype=float)
