"""The network edge: uvicorn options, a header-read timeout, and an access log without secrets.

uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1 by default; here it trusts it only from the
proxies the operator names (``--forwarded-allow-ips``, none by default), so that a client on the
same host cannot choose its rate-limit identity. uvicorn closes idle keep-alive connections
(``timeout_keep_alive``) but waits for ever for the rest of a half-sent request head;
:class:`HeaderTimeoutH11Protocol` closes a connection whose request line and headers have not
all arrived within ``header_timeout_s``.
"""

from __future__ import annotations

import asyncio
import logging
import re

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Largest request head (request line and headers) accepted. [B]
#: assumption: 16 KiB, twice nginx's default large_client_header_buffers (4 x 8 KiB per line is
#: its per-line limit); no client of this API sends more.
MAX_HEADER_BYTES = 16 * 1024

_QUERY = re.compile(r"\?.*$")


class AccessLogRedactor(logging.Filter):
    """Drop query strings from uvicorn's access log lines (they may carry ``api_key=``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], _QUERY.sub("", args[2]), *args[3:])
        return True


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on reading each request's head."""

    #: Seconds allowed for a request line and headers; set by :func:`configure`. [s]
    header_timeout_s: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_too_slow)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _header_too_slow(self) -> None:
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()  # the head did not arrive in time

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_timer()  # the whole head has arrived

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()  # the next request on this connection has the same limit

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)


def configure(header_timeout_s: float) -> None:
    """Set the header timeout of this process's connections (each uvicorn worker calls it)."""
    HeaderTimeoutH11Protocol.header_timeout_s = float(header_timeout_s)


def uvicorn_options(settings) -> dict:
    """Keyword arguments of ``uvicorn.run`` for ``settings`` (an ``ApiSettings``)."""
    trusted = ",".join(settings.forwarded_allow_ips)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted,
            "timeout_keep_alive": settings.timeout_keep_alive_s,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
            "http": HeaderTimeoutH11Protocol, "server_header": False,
            "limit_concurrency": settings.max_connections}


def install_access_log_redactor() -> None:
    """Add :class:`AccessLogRedactor` to uvicorn's access logger (once)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogRedactor) for f in logger.filters):
        logger.addFilter(AccessLogRedactor())
