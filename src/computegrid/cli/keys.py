"""``computegrid keys create/list/revoke``: API keys of the HTTP service (stored hashed)."""

from __future__ import annotations

import typer

from computegrid.cli.render import print_json, print_table
from computegrid.cli.serve import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Add the ``keys`` commands to ``app``.

    Longer than 60 lines: each command is a nested function that Typer registers on ``app``,
    with its options declared in its signature, one per line.
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
                                               help="requests per second allowed to this key"),
        db: str = db_option,
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    ) -> None:
        """Create a key and print it once; only its hash is stored."""
        from computegrid.services.runs.store import open_store

        store = open_store(db)
        try:
            key, record = store.create_key(name, rate_limit_per_s)
        finally:
            store.close()
        if as_json:
            print_json({"key_id": record.id, "name": record.name, "api_key": key,
                        "rate_limit_per_s": record.rate_limit_per_s})
            return
        typer.echo(f"key id {record.id} ({record.name}); store it now, it is not shown again:")
        typer.echo(key)

    @keys.command("list")
    def list_(db: str = db_option,
              as_json: bool = typer.Option(False, "--json", help="print one JSON object")) -> None:
        """List keys (ids, names, prefixes; never the keys)."""
        from computegrid.services.runs.store import open_store

        store = open_store(db)
        try:
            records = store.list_keys()
        finally:
            store.close()
        rows = [{"key_id": r.id, "name": r.name, "key_prefix": r.key_prefix,
                 "rate_limit_per_s": r.rate_limit_per_s, "created_at": r.created_at.isoformat(),
                 "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None}
                for r in records]
        if as_json:
            print_json({"keys": rows})
            return
        print_table("API keys", ["id", "name", "prefix", "rate limit [1/s]", "created", "revoked"],
                    [[r["key_id"], r["name"], r["key_prefix"], r["rate_limit_per_s"],
                      r["created_at"][:19], (r["revoked_at"] or "")[:19]] for r in rows])

    @keys.command("revoke")
    def revoke(key_id: int = typer.Argument(..., help="id shown by `computegrid keys list`"),
               db: str = db_option) -> None:
        """Revoke a key; requests with it are refused from then on."""
        from computegrid.services.runs.store import open_store

        store = open_store(db)
        try:
            record = store.revoke_key(key_id)
        finally:
            store.close()
        typer.echo(f"revoked key id {record.id} ({record.name})")
