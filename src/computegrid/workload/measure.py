"""Measure the energy of a command: NVML and RAPL counters, or an estimate from TDP x utilisation.

Hardware sits behind one small interface (:class:`EnergyMeter`), as in Zeus: a meter is started,
sampled while the command runs (so that a wrapping counter is never missed) and stopped. Real
meters read NVML's total-energy counter (``nvmlDeviceGetTotalEnergyConsumption``, mJ) and Linux
RAPL powercap counters (``/sys/class/powercap/intel-rapl:N/energy_uj``, uJ, wrapping at
``max_energy_range_uj``); where neither is readable the CPU is estimated from TDP x utilisation.
A replay meter, fed from a trace shipped in the package, stands in for hardware in tests.

Every record says how it was produced (``method``: ``measured`` or ``estimated``) and never
carries a silent 0: a counter that did not advance gives ``energy_j = None`` and a note.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from computegrid import units
from computegrid.errors import InputError

MEASURED = "measured"
ESTIMATED = "estimated"

#: assumption: CPU package TDP used by the estimate when the user gives none. A typical server
#: CPU package is rated roughly 100-350 W and a desktop 65-125 W; 100 W is a round middle value,
#: stated in every estimated record so that it can be replaced with --cpu-tdp-w. [W]
DEFAULT_CPU_TDP_W = 100.0
RAPL_GLOB = "/sys/class/powercap/intel-rapl:[0-9]*"


@dataclass(frozen=True)
class MeterReading:
    """Energy of one device over the measured interval."""

    device: str
    method: str
    energy_j: float | None
    note: str = ""


@dataclass(frozen=True)
class MeasurementRecord:
    """One JSON-lines record: a device's energy while a command ran (fields carry units)."""

    command: str
    device: str
    method: str
    energy_j: float | None
    energy_kwh: float | None
    duration_s: float
    mean_power_w: float | None
    started_at: str
    exit_code: int
    note: str = ""


class EnergyMeter(ABC):
    """A source of energy readings for one device."""

    device: str = ""
    method: str = MEASURED

    @abstractmethod
    def start(self, t_s: float) -> None:
        """Take the first reading at time ``t_s`` [s]."""

    @abstractmethod
    def sample(self, t_s: float) -> None:
        """Take an intermediate reading (catches counter wraparound)."""

    @abstractmethod
    def stop(self, t_s: float) -> MeterReading:
        """Take the last reading and return the energy since :meth:`start`."""


class CounterMeter(EnergyMeter):
    """A monotonic energy counter that may wrap around.

    Parameters
    ----------
    device : str
        Device label (``gpu:0``, ``cpu:package-0``).
    read : callable
        Returns the counter value. [counter unit]
    joules_per_unit : float
        Counter unit in joules (1e-3 for NVML's mJ, 1e-6 for RAPL's uJ). [J]
    max_range : float or None
        Value at which the counter wraps back to 0 (RAPL ``max_energy_range_uj``); None if it
        does not wrap. [counter unit]
    method : str, default "measured"
    """

    def __init__(self, device: str, read: Callable[[], float], joules_per_unit: float,
                 max_range: float | None = None, method: str = MEASURED) -> None:
        self.device = device
        self.method = method
        self._read = read
        self._scale = joules_per_unit
        self._max_range = max_range
        self._last: float | None = None
        self._total_units = 0.0
        self._wraps = 0

    def _advance(self) -> None:
        value = float(self._read())
        if self._last is not None:
            delta = value - self._last
            if delta < 0:
                if self._max_range is None:
                    raise RuntimeError(f"{self.device}: counter went backwards")
                delta += self._max_range
                self._wraps += 1
            self._total_units += delta
        self._last = value

    def start(self, t_s: float) -> None:
        self._last = None
        self._total_units = 0.0
        self._wraps = 0
        self._advance()

    def sample(self, t_s: float) -> None:
        self._advance()

    def stop(self, t_s: float) -> MeterReading:
        self._advance()
        note = f"counter wrapped {self._wraps} time(s), corrected" if self._wraps else ""
        if self._total_units <= 0:
            return MeterReading(self.device, self.method, None,
                                "counter did not advance: run shorter than the counter's update "
                                "interval or device idle below resolution; no value reported")
        return MeterReading(self.device, self.method, self._total_units * self._scale, note)


class ReplayMeter(CounterMeter):
    """A counter meter fed from a recorded trace; :meth:`stop` replays the trace to its end."""

    def __init__(self, device: str, readings: Sequence[float], joules_per_unit: float,
                 max_range: float | None = None, method: str = MEASURED) -> None:
        if not readings:
            raise ValueError("a replay trace needs at least one reading")
        self._readings = list(readings)
        self._pos = 0
        super().__init__(device, self._next, joules_per_unit, max_range, method)

    def _next(self) -> float:
        value = self._readings[min(self._pos, len(self._readings) - 1)]
        self._pos += 1
        return value

    def start(self, t_s: float) -> None:
        self._pos = 0
        super().start(t_s)

    def stop(self, t_s: float) -> MeterReading:
        while self._pos < len(self._readings) - 1:
            self._advance()
        r = super().stop(t_s)
        note = "; ".join(x for x in ("replayed counter trace, not this machine", r.note) if x)
        return MeterReading(r.device, r.method, r.energy_j, note)


class CpuUtilisationEstimator(EnergyMeter):
    """Estimate of CPU energy: TDP x measured CPU utilisation, integrated over time.

    Parameters
    ----------
    tdp_w : float
        Package thermal design power. [W]
    busy_and_total_s : callable
        Returns cumulative (busy, total) CPU seconds over all cores, e.g. from ``psutil.cpu_times``.
    """

    method = ESTIMATED

    def __init__(self, tdp_w: float, busy_and_total_s: Callable[[], tuple[float, float]],
                 device: str = "cpu (all packages)") -> None:
        self.device = device
        self._tdp_w = tdp_w
        self._read = busy_and_total_s
        self._energy_j = 0.0
        self._last: tuple[float, float, float] | None = None

    def _advance(self, t_s: float) -> None:
        busy, total = self._read()
        if self._last is not None:
            t0, b0, tot0 = self._last
            d_total = total - tot0
            util = (busy - b0) / d_total if d_total > 0 else 0.0
            self._energy_j += self._tdp_w * min(max(util, 0.0), 1.0) * max(t_s - t0, 0.0)
        self._last = (t_s, busy, total)

    def start(self, t_s: float) -> None:
        self._energy_j = 0.0
        self._last = None
        self._advance(t_s)

    def sample(self, t_s: float) -> None:
        self._advance(t_s)

    def stop(self, t_s: float) -> MeterReading:
        self._advance(t_s)
        note = f"estimated: TDP {self._tdp_w:g} W x CPU utilisation (all processes)"
        if self._energy_j <= 0:
            return MeterReading(self.device, self.method, None,
                                note + "; utilisation read as 0, no value reported")
        return MeterReading(self.device, self.method, self._energy_j, note)


def _psutil_busy_and_total() -> tuple[float, float]:
    import psutil

    t = psutil.cpu_times()
    idle = t.idle + getattr(t, "iowait", 0.0)
    # on Linux guest time is already counted in user time
    total = sum(t) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
    return total - idle, total


def nvml_meters() -> tuple[list[EnergyMeter], list[str]]:
    """One meter per NVIDIA GPU whose total-energy counter is readable (Volta and newer)."""
    notes: list[str] = []
    try:
        import pynvml
    except ImportError:
        return [], ["nvml: nvidia-ml-py not installed"]
    try:
        pynvml.nvmlInit()
        count = pynvml.nvmlDeviceGetCount()
    except pynvml.NVMLError as exc:
        return [], [f"nvml: unavailable ({exc})"]
    meters: list[EnergyMeter] = []
    for i in range(count):
        handle = pynvml.nvmlDeviceGetHandleByIndex(i)
        try:
            pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
        except pynvml.NVMLError as exc:
            notes.append(f"gpu:{i}: energy counter not supported ({exc})")
            continue
        meters.append(CounterMeter(
            f"gpu:{i}", lambda h=handle: pynvml.nvmlDeviceGetTotalEnergyConsumption(h), 1e-3))
    return meters, notes


def rapl_meters(pattern: str = RAPL_GLOB) -> tuple[list[EnergyMeter], list[str]]:
    """One meter per readable RAPL package zone (sub-zones are skipped: they are included)."""
    meters: list[EnergyMeter] = []
    notes: list[str] = []
    for zone in sorted(glob.glob(pattern)):
        if zone.count(":") > 1:  # intel-rapl:0:0 (core, dram...) is part of intel-rapl:0
            continue
        energy_file, range_file = Path(zone, "energy_uj"), Path(zone, "max_energy_range_uj")
        try:
            name = Path(zone, "name").read_text().strip()
            max_range = float(range_file.read_text())
            float(energy_file.read_text())
        except (OSError, ValueError) as exc:
            notes.append(f"rapl {Path(zone).name}: not readable ({type(exc).__name__})")
            continue
        meters.append(CounterMeter(f"cpu:{name}", lambda f=energy_file: float(f.read_text()),
                                   1e-6, max_range))
    if not meters and not notes:
        notes.append("rapl: no powercap zones on this machine")
    return meters, notes


def discover_meters(cpu_tdp_w: float = DEFAULT_CPU_TDP_W) -> tuple[list[EnergyMeter], list[str]]:
    """Meters for this machine: NVML GPUs, RAPL packages, else a CPU estimate."""
    gpus, notes = nvml_meters()
    cpus, rapl_notes = rapl_meters()
    notes += rapl_notes
    if not cpus:
        cpus = [CpuUtilisationEstimator(cpu_tdp_w, _psutil_busy_and_total)]
    return gpus + cpus, notes


def load_replay_meters(trace: dict) -> list[EnergyMeter]:
    """Replay meters from a trace mapping (see ``datasets/data/workload/measure_replay.json``)."""
    try:
        return [ReplayMeter(m["device"], m["readings"], float(m["joules_per_unit"]),
                            m.get("max_range"), m.get("method", MEASURED)) for m in trace["meters"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError("--replay", "trace", f"a JSON trace with meters[device, readings, "
                         f"joules_per_unit] ({type(exc).__name__}: {exc})") from None


def builtin_replay_trace() -> dict:
    """The replay trace shipped in the package."""
    from importlib import resources

    path = resources.files("computegrid.datasets").joinpath("data", "workload", "measure_replay.json")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class MeasureResult:
    """Exit code of the command and one record per meter."""

    exit_code: int
    duration_s: float
    records: list[MeasurementRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def measure_command(argv: Sequence[str], meters: Sequence[EnergyMeter], interval_s: float = 0.5,
                    clock: Callable[[], float] = time.monotonic) -> MeasureResult:
    """Run ``argv`` and return the energy each meter saw while it ran.

    Parameters
    ----------
    argv : sequence of str
        The command and its arguments.
    meters : sequence of EnergyMeter
        Meters to read (see :func:`discover_meters`, :func:`load_replay_meters`).
    interval_s : float, default 0.5
        Sampling interval; short enough that a counter cannot wrap twice between samples. [s]
    clock : callable
        Monotonic clock. [s]
    """
    if not argv:
        raise InputError("CMD", "missing", "a command after --, e.g. computegrid measure -- python train.py")
    if shutil.which(argv[0]) is None and not os.path.exists(argv[0]):
        raise InputError("CMD", argv[0], "an executable on PATH or a path to one")
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = clock()
    for m in meters:
        m.start(t0)
    proc = subprocess.Popen(list(argv))
    while True:
        try:
            code = proc.wait(timeout=interval_s)
            break
        except subprocess.TimeoutExpired:
            now = clock()
            for m in meters:
                m.sample(now)
        except KeyboardInterrupt:
            proc.terminate()
            code = proc.wait()
            break
    t1 = clock()
    duration = max(t1 - t0, 0.0)
    command = " ".join(argv)
    records = []
    for m in meters:
        try:
            r = m.stop(t1)
        except Exception as exc:  # noqa: BLE001 - a failing meter is reported, never hidden
            r = MeterReading(m.device, m.method, None, f"meter failed: {type(exc).__name__}: {exc}")
        e = r.energy_j
        records.append(MeasurementRecord(
            command=command, device=r.device, method=r.method, energy_j=e,
            energy_kwh=None if e is None else float(units.joule_to_kwh(e)), duration_s=duration,
            mean_power_w=None if e is None or duration <= 0 else e / duration,
            started_at=started_at, exit_code=code, note=r.note))
    return MeasureResult(exit_code=code, duration_s=duration, records=records)


def iter_json_lines(records: Sequence[MeasurementRecord]) -> Iterator[str]:
    """One JSON object per record."""
    from dataclasses import asdict

    for r in records:
        yield json.dumps(asdict(r), ensure_ascii=False)
