"""Candidate data-centre sites as records for the API and the dashboard map."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteInfo:
    """One candidate site (from ``computegrid.datasets.grid.load_sites``)."""

    site: str
    name: str
    province: str
    kind: str
    side: str
    latitude_deg: float
    longitude_deg: float
    pue: float
    capacity_max_mw: float


def list_sites() -> list[SiteInfo]:
    """Every candidate site with its coordinates [deg], PUE [-] and IT capacity cap [MW]."""
    from computegrid.datasets.grid import load_sites

    df = load_sites()
    return [SiteInfo(site=str(site), name=str(r.name), province=str(r.province), kind=str(r.kind),
                     side=str(r.side), latitude_deg=float(r.latitude_deg),
                     longitude_deg=float(r.longitude_deg), pue=float(r.pue),
                     capacity_max_mw=float(r.capacity_max_mw))
            for site, r in zip(df.index, df.itertuples(index=False))]
