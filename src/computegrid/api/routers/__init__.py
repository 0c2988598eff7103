"""One module per group of endpoints; each exposes ``build_router() -> APIRouter``."""

#: Router modules included by ``create_app``, in this order. No two routes match the same path,
#: so the order changes no answer; a request is matched against the routes in turn, so the
#: busiest (the placement and the Carbon Aware SDK queries) come first.
ROUTER_MODULES = ("scheduling", "carbon_aware", "health", "signals", "estimate", "sites", "plans",
                  "dashboard")
