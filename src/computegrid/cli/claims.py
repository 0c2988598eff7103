"""``computegrid claims``: the public claims about AI and electricity, recomputed and judged."""

from __future__ import annotations

import typer

import math

from computegrid.cli.render import print_json

_VERDICT_STYLE = {"holds": "bold green", "holds only if": "bold yellow", "does not hold": "bold red"}


def _num(value) -> str:
    """Readable number: separators up to 10^12, 4 significant figures below 1,000."""
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    if abs(v) >= 1e12:
        return f"{v:.3g}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _render(checks) -> None:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = Console()
    console.print(Text("Claims about AI and electricity, recomputed from published inputs",
                       style="bold"))
    console.print(Text("Every input has its source; [secondary] marks a figure confirmed only through a "
                  "report quoting the primary source.\n"))
    for i, c in enumerate(checks, 1):
        inputs = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for col, kw in (("input", {}), ("value", {"justify": "right"}), ("unit", {}),
                        ("source", {"overflow": "fold", "ratio": 1})):
            inputs.add_column(col, **kw)
        for x in c.inputs:
            inputs.add_row(Text(x.name), _num(x.value), Text(x.unit), Text(x.source))
        parts = [Text(f"\u201c{c.claim}\u201d", style="italic"), Text(""), inputs, Text(""),
                 Text.assemble(("computation  ", "bold"), c.computation),
                 Text.assemble(("range        ", "bold"),
                               f"{_num(c.range_low)} to {_num(c.range_high)} {c.range_unit}")]
        if c.years:
            yt = Table(title="AI electricity if the claim held, every six months [TWh/yr]",
                       box=None, header_style="bold")
            for col in ("year", "China AI low", "China AI high", "China total",
                        "world AI low", "world AI high", "world total"):
                yt.add_column(col, justify="right")
            for r in c.years:
                cells = [r["china_ai_twh_low"], r["china_ai_twh_high"], r["china_total_twh"],
                         r["world_ai_twh_low"], r["world_ai_twh_high"], r["world_total_twh"]]
                yt.add_row(f"{r['year']:.1f}", *[_num(v) for v in cells])
            parts += [Text(""), yt]
        style = _VERDICT_STYLE.get(c.verdict, "bold")
        parts += [Text(""), Text.assemble(("verdict      ", "bold"), (c.verdict.upper(), style),
                                          ": " if c.verdict == "holds only if" else " - ",
                                          c.verdict_detail)]
        console.print(Panel(Group(*parts), title=f"Claim {i}: {c.id}", title_align="left",
                            border_style=style.split()[-1]))


def register(app: typer.Typer) -> None:
    """Add the ``claims`` command to ``app``."""

    @app.command("claims")
    def _claims(json_out: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
        """Check the public claims about AI and electricity against published numbers."""
        from computegrid.services.workload.claims import check_claims

        checks = check_claims()
        if json_out:
            print_json({"claims": checks})
            return
        _render(checks)
