"""Errors that the entry points turn into one clear line and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


class ComputegridError(Exception):
    """Base class of computegrid's own errors."""


@dataclass
class InputError(ComputegridError):
    """Bad user input: names the field, the value and what is allowed.

    Parameters
    ----------
    field : str
        The option, column, key or file the value came from (``--utilisation``,
        ``sites.csv: column pue, row 3``).
    value : object
        The offending value, as given.
    allowed : str
        What would have been accepted.
    """

    field: str
    value: object
    allowed: str

    def __str__(self) -> str:  # one line, always
        value = repr(self.value) if isinstance(self.value, str) else str(self.value)
        return f"{self.field}: got {value}; {self.allowed}".replace("\n", " ")


class DataFileError(InputError):
    """A user or bundled data file failed validation (file, column, row, value)."""
