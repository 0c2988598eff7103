"""Network round-trip time between places from great-circle distance.

RTT_ms = 2 x k x d_km / v_fibre x 1,000 + t_equipment_ms, with d the great-circle distance, k the fibre
route factor (ratio of fibre path length to great-circle distance, default 1.5), v_fibre = c / 1.468
(about 204,000 km/s, the group velocity of light in standard single-mode fibre) and t_equipment the delay of
switches, routers and serialisation (about 0.2-1 ms). The route factor can be checked on real backbone
graphs with :func:`route_factors` (ChinaNet and CERNET are bundled, see
``computegrid.datasets.grid.load_backbone``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: Mean Earth radius [km]: R1 = (2a + b) / 3 = 6,371.0088 km of the Geodetic Reference System 1980 adopted by the
#: IUGG (H. Moritz, "Geodetic Reference System 1980", Journal of Geodesy 74(1), 2000, pp. 128-133). The only
#: Earth radius of computegrid: every great-circle distance is :func:`great_circle_km`.
EARTH_RADIUS_KM = 6371.0088
#: Speed of light in vacuum [km/s] (SI definition).
SPEED_OF_LIGHT_KM_PER_S = 299_792.458
#: Group index of standard single-mode fibre at 1,550 nm: 1.4682 (Corning SMF-28 Ultra optical fibre, product
#: information sheet, effective group index of refraction at 1,550 nm).
FIBRE_GROUP_INDEX = 1.468
#: Speed of light in fibre [km/s], about 204,000 (c / group index).
FIBRE_SPEED_KM_PER_S = SPEED_OF_LIGHT_KM_PER_S / FIBRE_GROUP_INDEX
#: Default fibre route factor [-]: assumption 1.5, above the medians measured by :func:`route_factors` on the
#: bundled backbone graphs (1.34 ChinaNet, 1.45 CERNET; link-by-link great-circle lengths, a lower bound).
DEFAULT_ROUTE_FACTOR = 1.5
#: Default equipment delay on a round trip [ms]. Assumption: the low end of a 0.2-1 ms range of switching,
#: routing and serialisation delay (long-haul paths with few hops); with it the worked examples round to 15, 20, 24 ms.
DEFAULT_EQUIPMENT_MS = 0.2


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg):
    """Great-circle distance on a sphere (haversine formula), vectorised.

    Parameters
    ----------
    lat1_deg, lon1_deg : float or array_like
        Latitude and longitude of the first place. [deg]
    lat2_deg, lon2_deg : float or array_like
        Latitude and longitude of the second place. [deg]

    Returns
    -------
    float or numpy.ndarray
        Distance along the Earth's surface (mean radius 6,371 km). [km]
    """
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def rtt_ms(lat1_deg, lon1_deg, lat2_deg, lon2_deg, route_factor: float = DEFAULT_ROUTE_FACTOR,
           equipment_ms: float = DEFAULT_EQUIPMENT_MS):
    """Round-trip time between two places over fibre, vectorised.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : float or array_like
        Coordinates of the two ends. [deg]
    route_factor : float, default 1.5
        Fibre path length over great-circle distance. [-]
    equipment_ms : float, default 0.2
        Switching and routing delay added once per round trip. [ms]

    Returns
    -------
    float or numpy.ndarray
        Round-trip time. [ms]

    Notes
    -----
    RTT = 2 k d / v + t_eq. With k = 1.5: Beijing-Zhongwei about 15 ms,
    Shanghai-Qingyang about 20 ms, Shanghai-Zhongwei about 24 ms.
    """
    if route_factor < 1.0:
        from computegrid.errors import InputError

        raise InputError("route_factor", route_factor, "a fibre route is never shorter than the "
                         "great circle: use a value >= 1")
    if equipment_ms < 0:
        from computegrid.errors import InputError

        raise InputError("equipment_ms", equipment_ms, "use a value >= 0")
    d_km = great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    return 2.0 * route_factor * d_km / FIBRE_SPEED_KM_PER_S * 1e3 + equipment_ms


def latency_matrix_ms(origins: pd.DataFrame, sites: pd.DataFrame,
                      route_factor: float = DEFAULT_ROUTE_FACTOR,
                      equipment_ms: float = DEFAULT_EQUIPMENT_MS) -> pd.DataFrame:
    """Round-trip times from every origin to every site.

    Parameters
    ----------
    origins : pandas.DataFrame
        One row per origin (e.g. ``load_provinces()``), columns ``latitude_deg``, ``longitude_deg``.
    sites : pandas.DataFrame
        One row per site (e.g. ``load_sites()``), same columns.
    route_factor : float, default 1.5
        Fibre route factor. [-]
    equipment_ms : float, default 0.2
        Equipment delay per round trip. [ms]

    Returns
    -------
    pandas.DataFrame
        ``origins.index x sites.index`` round-trip times. [ms]
    """
    for label, frame in (("origins", origins), ("sites", sites)):
        missing = {"latitude_deg", "longitude_deg"} - set(frame.columns)
        if missing:
            from computegrid.errors import InputError

            raise InputError(label, sorted(missing), "needs columns latitude_deg and longitude_deg")
    lat1 = origins["latitude_deg"].to_numpy(float)[:, None]
    lon1 = origins["longitude_deg"].to_numpy(float)[:, None]
    lat2 = sites["latitude_deg"].to_numpy(float)[None, :]
    lon2 = sites["longitude_deg"].to_numpy(float)[None, :]
    values = rtt_ms(lat1, lon1, lat2, lon2, route_factor=route_factor, equipment_ms=equipment_ms)
    out = pd.DataFrame(values, index=origins.index.copy(), columns=sites.index.copy())
    out.columns.name = sites.index.name or "site"
    return out


def route_factors(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.Series:
    """Route factor of every pair of nodes of a backbone graph.

    The factor of a pair is its shortest path length over the graph's links (each link's length is its
    great-circle length, so the factor is a lower bound of the real fibre's) divided by the pair's
    great-circle distance.

    Parameters
    ----------
    nodes : pandas.DataFrame
        Index node id; columns ``latitude_deg``, ``longitude_deg``.
    edges : pandas.DataFrame
        Columns ``source``, ``target`` (node ids) and ``length_km``. [km]

    Returns
    -------
    pandas.Series
        Route factor per unordered node pair (MultiIndex ``source``, ``target``). [-]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import shortest_path

    ids = list(nodes.index)
    pos = {n: i for i, n in enumerate(ids)}
    e = edges[edges["source"].isin(pos) & edges["target"].isin(pos)]
    i = e["source"].map(pos).to_numpy()
    j = e["target"].map(pos).to_numpy()
    w = e["length_km"].to_numpy(float)
    graph = coo_matrix((w, (i, j)), shape=(len(ids), len(ids))).tocsr()
    dist = shortest_path(graph, directed=False)
    lat = nodes["latitude_deg"].to_numpy(float)
    lon = nodes["longitude_deg"].to_numpy(float)
    gc = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    iu, ju = np.triu_indices(len(ids), k=1)
    ok = np.isfinite(dist[iu, ju]) & (gc[iu, ju] > 0)
    index = pd.MultiIndex.from_arrays([np.asarray(ids)[iu[ok]], np.asarray(ids)[ju[ok]]],
                                      names=["source", "target"])
    return pd.Series(dist[iu, ju][ok] / gc[iu, ju][ok], index=index, name="route_factor")


def summarise_route_factors(factors: pd.Series | Sequence[float] | Mapping) -> dict[str, float]:
    """Median and quartiles of route factors. [-]"""
    s = pd.Series(factors, dtype=float) if not isinstance(factors, pd.Series) else factors
    return {"median": float(s.median()), "q25": float(s.quantile(0.25)),
            "q75": float(s.quantile(0.75)), "n_pairs": int(s.size)}
