"""Reading a user's CSV file with the project's one-line errors (no dependency on other layers)."""

from __future__ import annotations

import pandas as pd

from computegrid.errors import DataFileError, InputError


def read_user_csv(path, field: str, allowed: str = "an existing CSV file") -> pd.DataFrame:
    """Read ``path`` as CSV; a missing file is an :class:`InputError` on ``field`` (``allowed`` says
    what may be given instead), an unreadable one a :class:`DataFileError`."""
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(field, str(path), allowed) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), type(exc).__name__, f"a readable CSV file ({exc})") from None
