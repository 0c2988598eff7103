"""``computegrid keys create/list/revoke``: API keys of the HTTP service (stored hashed)."""

from __future__ import annotations

from contextlib import closing

import typer

from computegrid.cli.render import print_json, print_table
from computegrid.cli.serve import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Add ``keys create/list/revoke``.

    Longer than 60 lines: one closure per command, options in signatures.
    """
    keys = typer.Typer(help="API keys of the HTTP service (stored as SHA-256 hashes).",
                       no_args_is_help=True)
    app.add_typer(keys, name="keys")

    db_option = typer.Option(DEFAULT_DB, "--db", envvar="COMPUTEGRID_DB_URL",
                             help="run store: sqlite:///FILE or postgresql://user@host/db")

    @keys.command("create")
    def create(
        name: str = typer.Option(..., "--name", help="who or what uses the key"),
        rate_limit_per_s: float = typer.Option(20.0, "--rate-limit-per-s",
                                               help="requests per second allowed to this key "
                                                    "(finite, > 0)"),
        scope: str = typer.Option("plan", "--scope",
                                  help="read (data, estimates, placement), plan (read + its own "
                                       "planning runs) or admin (every run, publishing)"),
        expires_in: str = typer.Option("90d", "--expires-in",
                                       help="lifetime: 90d, 12h, 30m, 1y, or never"),
        min_resolution_h: int = typer.Option(3, "--min-resolution-h",
                                             help="finest time resolution of the key's planning "
                                                  "runs [h] (1: hourly runs allowed)"),
        allow_expand: bool = typer.Option(False, "--allow-expand",
                                          help="the key's runs may expand capacity"),
        db: str = db_option,
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    ) -> None:
        """Create a key and print it once; only its hash is stored."""
        from computegrid.services.runs.store import open_store
        from computegrid.services.runs.store.keys import (
            check_min_resolution_h,
            check_rate_limit,
            check_scope,
            parse_expires_in,
        )

        # every option checked before the store is opened: bad input is one line, exit 2
        check_rate_limit(rate_limit_per_s)
        check_scope(scope)
        check_min_resolution_h(min_resolution_h)
        lifetime_s = parse_expires_in(expires_in)
        with closing(open_store(db)) as store:
            key, record = store.create_key(name, rate_limit_per_s, scope=scope,
                                           expires_in_s=lifetime_s,
                                           min_resolution_h=min_resolution_h,
                                           allow_expand=allow_expand)
        expires = record.expires_at.isoformat() if record.expires_at else None
        if as_json:
            print_json({"key_id": record.id, "name": record.name, "api_key": key,
                        "rate_limit_per_s": record.rate_limit_per_s, "scope": record.scope,
                        "expires_at": expires, "min_resolution_h": record.min_resolution_h,
                        "allow_expand": record.allow_expand})
            return
        typer.echo(f"key id {record.id} ({record.name}, scope {record.scope}, expires "
                   f"{expires or 'never'}); store it now, it is not shown again:")
        typer.echo(key)

    @keys.command("list")
    def list_(db: str = db_option,
              as_json: bool = typer.Option(False, "--json", help="print one JSON object")) -> None:
        """List keys (ids, names, prefixes; never the keys)."""
        from computegrid.services.runs.store import open_store

        with closing(open_store(db)) as store:
            records = store.list_keys()
        rows = [{"key_id": r.id, "name": r.name, "key_prefix": r.key_prefix,
                 "rate_limit_per_s": r.rate_limit_per_s, "scope": r.scope,
                 "min_resolution_h": r.min_resolution_h, "allow_expand": r.allow_expand,
                 "created_at": r.created_at.isoformat(),
                 "expires_at": r.expires_at.isoformat() if r.expires_at else None,
                 "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None}
                for r in records]
        if as_json:
            print_json({"keys": rows})
            return
        print_table("API keys", ["id", "name", "prefix", "scope", "rate limit [1/s]", "created",
                                 "expires", "revoked"],
                    [[r["key_id"], r["name"], r["key_prefix"], r["scope"], r["rate_limit_per_s"],
                      r["created_at"][:19], (r["expires_at"] or "never")[:19],
                      (r["revoked_at"] or "")[:19]] for r in rows])

    @keys.command("revoke")
    def revoke(key_id: int = typer.Argument(..., help="id shown by `computegrid keys list`"),
               db: str = db_option) -> None:
        """Revoke a key; requests with it are refused from then on."""
        from computegrid.services.runs.store import open_store

        with closing(open_store(db)) as store:
            record = store.revoke_key(key_id)
        typer.echo(f"revoked key id {record.id} ({record.name})")
