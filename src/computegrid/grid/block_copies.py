"""Block copies of horizon-wide variables, for HiGHS' HiPO interior point (see :func:`split_columns`).

The copies survive HiGHS' presolve only with :data:`computegrid.grid.solve.SPLIT_PRESOLVE_RULES_OFF`,
which :func:`computegrid.grid.solve.optimize` sets for a model that has them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr


def split_columns(m, variable: str, uses: dict, n_blocks: int) -> int:
    """Give a horizon-wide variable one copy per block of time in the constraints that use it.

    A variable that is fixed over the horizon but enters a constraint in every snapshot (the
    capacity of an extendable component, the mean IT load of an AI class at a site) is a dense
    column of the constraint matrix. An interior-point solver factorises ``A D A'``, in which such
    a column fills a dense block as large as the number of snapshots it touches; at hourly
    resolution HiGHS' HiPO then gives up the normal equations for the augmented system, several
    times slower and larger. Here the variable ``x`` gets copies ``x[0], ..., x[B-1]`` chained in
    time, ``x[0] = x`` and ``x[b] = x[b-1]`` (named ``split-<variable>``, a prefix PyPSA does not map
    onto its components), and each row of the constraints in ``uses`` refers
    to its block's copy. The problem and its optimum are unchanged; ``A D A'`` stays banded in
    time. The chain survives HiGHS' presolve only with
    :data:`~computegrid.grid.solve.SPLIT_PRESOLVE_RULES_OFF`.

    Parameters
    ----------
    m : linopy.Model
        The model, built.
    variable : str
        Name of a one-dimensional linopy variable.
    uses : dict
        Constraint name -> (dimension name, block number of each coordinate along it); missing
        constraints are skipped.
    n_blocks : int
        Number of blocks (copies).

    Returns
    -------
    int
        Number of coefficients moved to the copies (0 if there was nothing to split).
    """
    from linopy import Variable

    if variable not in m.variables or n_blocks < 2:
        return 0
    var = m.variables[variable]
    if var.labels.ndim != 1:
        return 0
    dim = var.labels.dims[0]
    vlabels = var.labels.values
    order = np.argsort(vlabels)
    copies = None
    moved = 0
    for cname, (row_dim, blocks) in uses.items():
        if cname not in m.constraints:
            continue
        con = m.constraints[cname]
        terms = con.vars
        arr = terms.values
        hit = np.isin(arr, vlabels) & (arr >= 0)
        if not hit.any():
            continue
        if copies is None:
            block = pd.RangeIndex(n_blocks, name="block")
            # same bounds as the variable, so they must be bounds by now (model_functionality);
            # free copies: 86 HiPO iterations at 6h instead of 61, and a stall at hourly resolution
            copies = m.add_variables(lower=var.lower.expand_dims(block=block).transpose("block", dim),
                                     upper=var.upper.expand_dims(block=block).transpose("block", dim),
                                     name=f"split-{variable}")
            copy_labels = copies.labels.transpose("block", dim).values
        axis = terms.dims.index(row_dim)
        shape = [1] * arr.ndim
        shape[axis] = arr.shape[axis]
        block_of = np.broadcast_to(np.asarray(blocks, dtype=int).reshape(shape), arr.shape)
        pos = order[np.searchsorted(vlabels[order], arr[hit])]
        new = terms.copy(data=arr.copy())
        new.values[hit] = copy_labels[block_of[hit], pos]
        bounds = xr.zeros_like(new, dtype=float)  # not read: update() takes the labels of the terms
        con.update(variables=Variable(xr.Dataset({"labels": new, "lower": bounds, "upper": bounds}), m, ""))
        moved += int(hit.sum())
    if copies is None:
        return 0
    m.add_constraints(copies.isel(block=0) - var == 0.0, name=f"split-{variable}-first")
    later = copies.isel(block=slice(1, None))
    earlier = copies.isel(block=slice(0, -1)).assign_coords(block=later.indexes["block"])
    m.add_constraints(later - earlier == 0.0, name=f"split-{variable}-chain")
    return moved


def day_blocks(snapshots) -> np.ndarray:
    """Block number of each snapshot, one block per calendar day in time order (a representative
    day is a day). [-]"""
    return pd.factorize(pd.DatetimeIndex(snapshots).normalize())[0]


def split_capacity_columns(m, snapshots, components=("Generator", "StorageUnit", "Link")) -> int:
    """Daily copies (:func:`split_columns`) of each component's extendable capacity ``<comp>-p_nom`` in
    its per-snapshot ``<comp>-ext-*`` limits. Returns the number of coefficients moved."""
    blocks = day_blocks(pd.DatetimeIndex(snapshots))
    n_blocks = int(blocks.max()) + 1 if len(blocks) else 0
    moved = 0
    for comp in components:
        uses = {name: ("snapshot", blocks) for name in m.constraints
                if name.startswith(f"{comp}-ext-") and "snapshot" in m.constraints[name].labels.dims}
        moved += split_columns(m, f"{comp}-p_nom", uses, n_blocks)
    return moved
