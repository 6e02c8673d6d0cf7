"""``SandboxServer``: the sandbox app on a stdlib ``ThreadingHTTPServer`` in a background thread.

The standard library server is used rather than an ASGI stack because the sandbox must control the
wire byte by byte (a connection dropped halfway through a body, a truncated JSON page with a
consistent Content-Length), runs in-process inside tests without an event loop, and a thread per
connection is plenty for one loader and a test client. HTTP/1.1 keep-alive keeps paging cheap.

Plain HTTP by default. With ``ssl_context`` the server speaks HTTPS only, as both real APIs do: the
official clients build ``https://`` URLs from an instance URL or host and cannot be pointed at
plain HTTP (simple-salesforce hard-codes the scheme), so conformance tests with those clients need
it. The TLS handshake runs in the connection's own thread, so a stalled client holds up no other.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson

from ingestion.sandbox.server.app import SandboxApp
from ingestion.sandbox.server.request import Request

DEFAULT_SF_CLIENT_ID = "relay-sandbox"
DEFAULT_SF_CLIENT_SECRET = "relay-sandbox-secret"
DEFAULT_HUBSPOT_TOKEN = "pat-sandbox-relay"
# Environment variables that override the default credentials.
ENV_SF_CLIENT_ID = "RELAY_SANDBOX_SF_CLIENT_ID"
ENV_SF_CLIENT_SECRET = "RELAY_SANDBOX_SF_CLIENT_SECRET"
ENV_HUBSPOT_TOKEN = "RELAY_SANDBOX_HUBSPOT_TOKEN"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "RelaySandbox/1.0"
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP (bad request line, oversized headers): JSON in the API's shape, not HTML."""
        path = getattr(self, "path", "") or ""
        text = message or self.responses.get(code, ("error",))[0]
        if path.startswith("/services/"):
            body = orjson.dumps([{"message": text, "errorCode": "BAD_REQUEST"}])
        else:
            body = orjson.dumps({"status": "error", "message": text, "correlationId": "sandbox",
                                 "category": "VALIDATION_ERROR"})
        self.close_connection = True
        try:
            self._send(code, body, {"Connection": "close"}, "application/json;charset=UTF-8")
        except OSError:
            pass

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            sys.stderr.write(f"sandbox: {self.address_string()} {format % args}\n")

    def _handle(self, method: str) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length header")
            return
        try:
            body = self.rfile.read(length) if length > 0 else b""
            parts = urlsplit(self.path)
            host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
            request = Request(
                method=method,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                base_url=f"{self.server.scheme}://{host}",
                target=self.path,
                header_bytes=len(self.requestline) + 2
                + sum(len(name) + len(value) + 4 for name, value in self.headers.items()) + 2,
            )
            outcome = self.server.app.dispatch(request)
        except Exception:  # the HTTP layer itself failed: still answer with JSON, never a trace
            import traceback

            traceback.print_exc(file=sys.stderr)
            self._send(500, orjson.dumps({"status": "error", "message": "internal error"}), {},
                       "application/json;charset=UTF-8")
            return
        response = outcome.response
        body = response.body
        if outcome.body_fault == "malformed":
            body = body[: max(1, len(body) // 2)]
        if outcome.body_fault == "drop_connection":
            self._send(response.status, body, response.headers, response.content_type,
                       cut_after=max(1, len(body) // 2))
            return
        self._send(response.status, body, response.headers, response.content_type)

    def _send(self, status: int, body: bytes, headers: dict, content_type: str, cut_after: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if cut_after is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut_after])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive handler threads must not hold up stop()
    allow_reuse_address = True

    def __init__(self, address, app: SandboxApp, verbose: bool, ssl_context: ssl.SSLContext | None = None):
        self.app = app
        self.verbose = verbose
        self.ssl_context = ssl_context
        self.scheme = "https" if ssl_context is not None else "http"
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address) -> None:
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        # Wrapping here (the connection's thread), not the listening socket: a handshake on accept()
        # would run in the serving thread and one silent client would stall every other.
        request.settimeout(_Handler.timeout)
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that fails the handshake (e.g. distrusts the certificate) hung up: routine
        try:
            super().finish_request(connection, client_address)
        finally:
            connection.close()

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-response is routine (and the drop_connection fault does it).
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """A Salesforce + HubSpot sandbox serving ``data_dir``.

    ``with SandboxServer(path) as server: requests.get(server.url + ...)``. ``port=0`` picks a free
    port. ``faults`` is a fault plan (see ``faults.py``); ``set_faults`` changes it at runtime.
    Files load on first use; ``preload=True`` loads them all in a background thread at start.
    Credentials default to the sandbox's (overridable by argument or the RELAY_SANDBOX_* variables).
    ``ssl_context`` (a server-side ``ssl.SSLContext`` with its certificate loaded) makes it HTTPS-only;
    ``url`` and the URLs it hands out (``instance_url``, paging links) then say ``https``.
    """

    def __init__(self, data_dir: str | os.PathLike, host: str = "127.0.0.1", port: int = 0, faults: object = None,
                 sf_client_id: str | None = None, sf_client_secret: str | None = None,
                 hubspot_token: str | None = None, verbose: bool = False, preload: bool = False,
                 ssl_context: ssl.SSLContext | None = None):
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise ValueError(f"sandbox data directory not found: {self.data_dir}")
        self.host, self.port = host, port
        self.sf_client_id = sf_client_id or os.environ.get(ENV_SF_CLIENT_ID) or DEFAULT_SF_CLIENT_ID
        self.sf_client_secret = sf_client_secret or os.environ.get(ENV_SF_CLIENT_SECRET) or DEFAULT_SF_CLIENT_SECRET
        self.hubspot_token = hubspot_token or os.environ.get(ENV_HUBSPOT_TOKEN) or DEFAULT_HUBSPOT_TOKEN
        self.app = SandboxApp(self.data_dir, self.sf_client_id, self.sf_client_secret, self.hubspot_token, faults)
        self._verbose = verbose
        self._preload = preload
        self._ssl_context = ssl_context
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not started")
        host, port = self._httpd.server_address[:2]
        return f"{self._httpd.scheme}://{host}:{port}"

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self.port), self.app, self._verbose, self._ssl_context)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"sandbox-{self._httpd.server_address[1]}", daemon=True)
        self._thread.start()
        if self._preload:
            # Requests are served meanwhile; one for a file still loading waits for that file only.
            threading.Thread(target=self.app.warm, name="sandbox-preload", daemon=True).start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        if self._thread is not None:
            httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stats(self) -> dict:
        return self.app.stats.snapshot()

    def reset_stats(self) -> None:
        self.app.stats.reset()

    def set_faults(self, faults: object) -> None:
        """Replace the fault plan (a list of faults, or None to clear); ValueError if it is invalid."""
        self.app.faults.replace(faults or [])

    def expire_sessions(self) -> int:
        return self.app.salesforce.expire_sessions()
