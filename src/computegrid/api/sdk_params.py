"""Parameters and errors of the Carbon Aware SDK Web API, handled as ASP.NET Core handles them.

The SDK's Web API (v1.8) binds query parameters and JSON properties without regard to case, and
binds an array from ``location=a&location=b`` or from ``location[0]=a&location[1]=b``. Its bad
input is answered with ``application/problem+json``: a value that does not parse is a model
binding error (``title`` "One or more validation errors occurred.", ``errors`` naming the
parameter); a value that parses but is refused by the handler is an ``ArgumentException``
(``title`` "ArgumentException", ``detail`` "Invalid parameters", ``errors`` naming it). Sources:
tests/data/published/carbon-aware-sdk/README.md.
"""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import Request
from fastapi.responses import JSONResponse

from computegrid.errors import InputError

PROBLEM_JSON = "application/problem+json"
_BINDING_TYPE = "https://tools.ietf.org/html/rfc7231#section-6.5.1"
_INDEXED = re.compile(r"^([a-z]+)\[(\d+)\]$")


class SdkProblem(Exception):
    """A 400 answer in the SDK's shape; ``binding``: a value that does not parse."""

    def __init__(self, field: str, message: str, binding: bool = False):
        super().__init__(message)
        self.field = field
        self.binding = binding


def problem_response(field: str, message: str, binding: bool = False,
                     status: int = 400) -> JSONResponse:
    """``application/problem+json`` with the SDK's keys."""
    if binding:
        content = {"type": _BINDING_TYPE, "title": "One or more validation errors occurred.",
                   "status": status, "errors": {field: [message]}}
    else:
        content = {"title": "ArgumentException", "status": status,
                   "detail": "Invalid parameters", "errors": {field: [message]}}
    return JSONResponse(status_code=status, content=content, media_type=PROBLEM_JSON)


def from_input_error(exc: InputError) -> SdkProblem:
    """An ``InputError`` of the services as the SDK's ArgumentException on that field."""
    allowed = str(exc.allowed)
    message = allowed if allowed.startswith(str(exc.field)) else f"{exc.value}: {allowed}"
    return SdkProblem(str(exc.field), message)


class SdkQuery:
    """Query parameters by lower-case name; ``location[i]`` collected as ``location``."""

    def __init__(self, request: Request, max_values: int = 100):
        self._values: dict[str, list[str]] = {}
        indexed: dict[str, list[tuple[int, str]]] = {}
        for name, value in request.query_params.multi_items():
            key = name.strip().lower()
            m = _INDEXED.match(key)
            if m:
                indexed.setdefault(m.group(1), []).append((int(m.group(2)), value))
            else:
                self._values.setdefault(key, []).append(value)
        for key, items in indexed.items():
            self._values.setdefault(key, []).extend(v for _, v in sorted(items))
        for key, values in self._values.items():
            if len(values) > max_values:
                raise SdkProblem(key, f"at most {max_values} values", binding=True)

    def strings(self, name: str) -> list[str]:
        return list(self._values.get(name.lower(), []))

    def string(self, name: str) -> str | None:
        values = self.strings(name)
        return values[-1] if values else None

    def time(self, name: str) -> datetime | None:
        return parse_time(self.string(name), name)

    def integer(self, name: str) -> int | None:
        return parse_int(self.string(name), name)


def parse_time(text: str | None, name: str) -> datetime | None:
    """An ISO 8601 date-time (``DateTimeOffset``), or ``None`` when absent or empty."""
    if text is None or not str(text).strip():
        return None
    try:
        return datetime.fromisoformat(str(text).strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise SdkProblem(name, f"The value '{str(text)[:60]}' is not valid.", binding=True) from None


def parse_int(value, name: str) -> int | None:
    """A 32-bit integer, or ``None`` when absent or empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        number = None
    if number is None or isinstance(value, bool) or not -2**31 <= number < 2**31:
        raise SdkProblem(name, f"The value '{str(value)[:60]}' is not valid.", binding=True)
    return number


def body_items(body, required: tuple[str, ...], max_items: int) -> list[dict]:
    """The objects of a batch body with lower-case property names (System.Text.Json's web
    defaults match property names without regard to case)."""
    if not isinstance(body, list):
        raise SdkProblem("$", "The JSON value could not be converted to an array.", binding=True)
    if len(body) > max_items:
        raise SdkProblem("$", f"at most {max_items} requests in one batch")
    items = []
    for i, item in enumerate(body):
        if not isinstance(item, dict):
            raise SdkProblem(f"$[{i}]", "The JSON value could not be converted to an object.",
                             binding=True)
        lowered = {str(k).lower(): v for k, v in item.items()}
        for name in required:
            if lowered.get(name.lower()) in (None, ""):
                raise SdkProblem(name, f"{name} is not set")
        items.append(lowered)
    return items
