"""Demand outlook to 2035 (Monte Carlo), adequacy of supply against it, and the Dask sweep that runs the solves."""
