"""computegrid: plan AI compute together with the power grid.

Layers (dependencies point one way): ``units`` -> domain models (``workload``, ``facility``,
``demand``, ``supply``, ``scheduling``) -> ``grid`` (the only PyPSA/linopy adapter) ->
``services`` (use cases) -> ``cli`` / ``api``. Nothing happens at import.
"""

__version__ = "0.1.0"
