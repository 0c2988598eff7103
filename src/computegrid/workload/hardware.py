"""Hardware catalog: accelerators and servers with board or system power and peak compute.

The catalog is data (``datasets/data/workload/hardware.csv``, every row with its ``source``);
this module holds the record type, the validation of a catalog table (bundled or user-supplied)
and the look-up with suggestions. It does no I/O: readers live in ``computegrid.datasets`` and
``computegrid.io``.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

import pandas as pd

from computegrid.errors import DataFileError, InputError

#: Columns of a hardware table, in order; ``n_accelerators`` and ``accelerator_id`` may be empty
#: for accelerators, ``peak_tflops_fp16_dense`` and ``memory_gb`` may be empty for user rows.
HARDWARE_COLUMNS = (
    "id", "kind", "name", "vendor", "year", "power_w", "peak_tflops_fp16_dense", "memory_gb",
    "n_accelerators", "accelerator_id", "source",
)
REQUIRED_COLUMNS = ("id", "kind", "power_w", "source")
KINDS = ("accelerator", "server")
_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class HardwareSpec:
    """One accelerator or server of the catalog.

    Attributes
    ----------
    id : str
        Lower-case kebab-case catalog id (``h100-sxm``). [-]
    kind : str
        ``accelerator`` or ``server``. [-]
    name, vendor : str
        Product name and vendor. [-]
    year : int or None
        Year of introduction. [year]
    power_w : float
        Board (accelerator) or system (server) maximum power. [W]
    peak_tflops_fp16_dense : float or None
        Peak dense FP16/BF16 tensor throughput (servers: sum over their accelerators). [TFLOPS]
    memory_gb : float or None
        Accelerator memory (servers: total accelerator memory). [GB]
    n_accelerators : int
        Accelerators per unit (1 for an accelerator). [-]
    source : str
        Where the figures come from.
    """

    id: str
    kind: str
    name: str
    vendor: str
    year: int | None
    power_w: float
    peak_tflops_fp16_dense: float | None
    memory_gb: float | None
    n_accelerators: int
    accelerator_id: str | None
    source: str


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip() == "")


def validate_hardware_table(table: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Check a hardware table and return it with typed columns.

    Longer than 60 lines: one check per column, each naming the row, the column and the value in
    its error; they validate one table and stay together.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows read from a CSV or YAML file (all values may still be strings).
    origin : str
        The file name, used in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HARDWARE_COLUMNS`, numbers as floats, indexed by ``id``.

    Raises
    ------
    DataFileError
        Naming the file, column, row (1-based data row) and value for the first problem found.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(f"{origin}: column {missing[0]}", "missing",
                            f"required columns: {', '.join(REQUIRED_COLUMNS)}")
    unknown = [c for c in table.columns if c not in HARDWARE_COLUMNS]
    if unknown:
        raise DataFileError(f"{origin}: column {unknown[0]}", "unknown column",
                            f"allowed columns: {', '.join(HARDWARE_COLUMNS)}")
    table = table.reindex(columns=list(HARDWARE_COLUMNS)).reset_index(drop=True)
    out: dict[str, list] = {c: [] for c in HARDWARE_COLUMNS}
    seen: set[str] = set()
    for i, row in table.iterrows():
        where = f"{origin}: row {i + 1}, column"
        hw_id = row["id"]
        if _blank(hw_id) or not _ID_PATTERN.match(str(hw_id).strip()):
            raise DataFileError(f"{where} id", hw_id, "a lower-case kebab-case id such as h100-sxm")
        hw_id = str(hw_id).strip()
        if hw_id in seen:
            raise DataFileError(f"{where} id", hw_id, "each id once per file")
        seen.add(hw_id)
        kind = "" if _blank(row["kind"]) else str(row["kind"]).strip()
        if kind not in KINDS:
            raise DataFileError(f"{where} kind", row["kind"], f"one of {', '.join(KINDS)}")
        if _blank(row["source"]):
            raise DataFileError(f"{where} source", row["source"], "a non-empty citation")
        numbers = {}
        for col, required, lo, allowed in (
            ("power_w", True, 0.0, "a finite number > 0 [W]"),
            ("peak_tflops_fp16_dense", False, 0.0, "empty or a finite number > 0 [TFLOPS]"),
            ("memory_gb", False, 0.0, "empty or a finite number > 0 [GB]"),
            ("year", False, 1900.0, "empty or a year such as 2024"),
            ("n_accelerators", False, 0.0, "empty or a whole number >= 1"),
        ):
            raw = row[col]
            if _blank(raw):
                if required:
                    raise DataFileError(f"{where} {col}", "empty", allowed)
                numbers[col] = None
                continue
            try:
                val = float(raw)
            except (TypeError, ValueError):
                raise DataFileError(f"{where} {col}", raw, allowed) from None
            if not math.isfinite(val) or val <= lo or (
                    col in ("year", "n_accelerators") and val != int(val)):
                raise DataFileError(f"{where} {col}", raw, allowed)
            numbers[col] = val
        n_acc = numbers["n_accelerators"] or 1.0
        if kind == "accelerator" and n_acc != 1:
            raise DataFileError(f"{where} n_accelerators", row["n_accelerators"],
                                "1 (or empty) for an accelerator")
        out["id"].append(hw_id)
        out["kind"].append(kind)
        out["name"].append(hw_id if _blank(row["name"]) else str(row["name"]))
        out["vendor"].append("" if _blank(row["vendor"]) else str(row["vendor"]))
        out["year"].append(numbers["year"])
        out["power_w"].append(numbers["power_w"])
        out["peak_tflops_fp16_dense"].append(numbers["peak_tflops_fp16_dense"])
        out["memory_gb"].append(numbers["memory_gb"])
        out["n_accelerators"].append(n_acc)
        out["accelerator_id"].append(None if _blank(row["accelerator_id"])
                                     else str(row["accelerator_id"]).strip())
        out["source"].append(str(row["source"]))
    frame = pd.DataFrame(out, columns=list(HARDWARE_COLUMNS))
    for col in ("year", "power_w", "peak_tflops_fp16_dense", "memory_gb", "n_accelerators"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame.set_index("id", drop=False)


def suggest(given: str, candidates: list[str], n: int = 3) -> list[str]:
    """Closest names to ``given``: ids containing it first, then difflib's closest matches."""
    key = given.strip().lower()
    contained = [c for c in candidates if key and key in c]
    close = difflib.get_close_matches(key, candidates, n=n, cutoff=0.4)
    return list(dict.fromkeys(contained + close))[:n]


class HardwareCatalog:
    """Look-up over a validated hardware table (bundled rows, then user rows that add or replace).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`validate_hardware_table`.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self._table = table

    @property
    def table(self) -> pd.DataFrame:
        """The catalog as a DataFrame indexed by id."""
        return self._table

    def extended(self, extra: pd.DataFrame) -> HardwareCatalog:
        """A new catalog with ``extra`` rows added; a row with an existing id replaces it."""
        kept = self._table[~self._table.index.isin(extra.index)]
        return HardwareCatalog(pd.concat([kept, extra]))

    def ids(self, kind: str | None = None) -> list[str]:
        """Catalog ids, optionally of one kind."""
        t = self._table if kind is None else self._table[self._table["kind"] == kind]
        return list(t.index)

    def get(self, hw_id: str, kind: str | None = None, field: str = "--accelerator") -> HardwareSpec:
        """The entry ``hw_id``; an unknown id raises InputError suggesting the closest ids."""
        candidates = self.ids(kind)
        if hw_id not in candidates:
            close = suggest(str(hw_id), candidates)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise InputError(field, hw_id, f"{hint}known {kind or 'hardware'} ids: "
                             f"{', '.join(candidates)} (add your own with --hardware-file)")
        row = self._table.loc[hw_id]

        def opt(v):
            return None if pd.isna(v) else float(v)

        return HardwareSpec(
            id=hw_id, kind=row["kind"], name=row["name"], vendor=row["vendor"],
            year=None if pd.isna(row["year"]) else int(row["year"]), power_w=float(row["power_w"]),
            peak_tflops_fp16_dense=opt(row["peak_tflops_fp16_dense"]), memory_gb=opt(row["memory_gb"]),
            n_accelerators=int(row["n_accelerators"]),
            accelerator_id=None if pd.isna(row["accelerator_id"]) else str(row["accelerator_id"]),
            source=row["source"],
        )
