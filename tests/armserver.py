"""A loopback Azure Resource Manager for the live-scale-set tests: real HTTPS, real SDK on the other end.

Two servers on 127.0.0.1: ARM itself over TLS (a certificate made for the test run, trusted through
REQUESTS_CA_BUNDLE exactly as a corporate CA would be), and a managed-identity token endpoint over plain
HTTP, which is how App Service and Azure Arc expose it (IDENTITY_ENDPOINT / IDENTITY_HEADER): so the
credential is azure-identity's own DefaultAzureCredential chain, not a stand-in. Each test scripts the
responses it needs; every request is recorded.
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback_cert import self_signed_certificate

IDENTITY_HEADER = "loopback-identity-header"
Handler = Callable[[str, dict[str, list[str]]], tuple[int, dict[str, str], Any]]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None


@dataclass
class LoopbackAzure:
    arm_endpoint: str
    identity_endpoint: str
    ca_file: Path
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    token_status: int = 200

    def env(self) -> dict[str, str]:
        return {
            "IDENTITY_ENDPOINT": self.identity_endpoint,
            "IDENTITY_HEADER": IDENTITY_HEADER,
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
            "AZURE_ARM_ENDPOINT": self.arm_endpoint,
        }

    def serve(self, path: str, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.routes[path.lower()] = lambda _p, _q: (status, headers or {}, body)


@contextmanager
def loopback_azure(folder: Path) -> Iterator[LoopbackAzure]:
    cert_file, key_file = self_signed_certificate(folder, "arm")
    state: dict[str, LoopbackAzure] = {}

    class Arm(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            azure = state["azure"]
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            azure.requests.append(Recorded("GET", url.path, query, self.headers.get("Authorization")))
            handler = azure.routes.get(url.path.lower())
            if handler is None:
                status, headers, body = (
                    404,
                    {},
                    {"error": {"code": "ResourceNotFound", "message": "not here"}},
                )
            else:
                status, headers, body = handler(url.path, query)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in headers.items():
                self.send_header(k, v)
            data = json.dumps(body).encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    class Identity(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            azure = state["azure"]
            ok = self.headers.get("X-IDENTITY-HEADER") == IDENTITY_HEADER and azure.token_status == 200
            body = (
                {
                    "access_token": "loopback-token",
                    "expires_on": str(int(time.time()) + 3600),
                    "resource": parse_qs(urlsplit(self.path).query).get("resource", [""])[0],
                    "token_type": "Bearer",
                }
                if ok
                else {"error": "invalid_request", "error_description": "no identity here"}
            )
            data = json.dumps(body).encode()
            self.send_response(200 if ok else azure.token_status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    arm = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Arm)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    arm.socket = context.wrap_socket(arm.socket, server_side=True)
    identity = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Identity)
    state["azure"] = LoopbackAzure(
        arm_endpoint=f"https://127.0.0.1:{arm.server_address[1]}",
        identity_endpoint=f"http://127.0.0.1:{identity.server_address[1]}/msi/token",
        ca_file=cert_file,
    )
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (arm, identity)]
    for t in threads:
        t.start()
    try:
        yield state["azure"]
    finally:
        for s in (arm, identity):
            s.shutdown()
            s.server_close()
