"""One module per group of endpoints; each exposes ``build_router() -> APIRouter``."""

#: Router modules included by ``create_app``, in this order.
ROUTER_MODULES = ("health", "estimate", "signals", "carbon_aware", "scheduling", "sites", "plans",
                  "dashboard")
