"""Run the real `az vmss update` in-process against a loopback ARM endpoint and capture the PUT body.

How az is made to talk to 127.0.0.1 without login or network (used only by the opt-in `-m azcli` test and
by `tests/record_azcli.py`, never by the default run):

* a temporary AZURE_CONFIG_DIR holds an `azureProfile.json` with one made-up subscription, so az has a
  default subscription without `az login`; telemetry, surveys and the version check are switched off there;
* the CLI object's cloud endpoint `resource_manager` is pointed at an HTTPS server on 127.0.0.1 (AAZ refuses
  bearer tokens over plain HTTP) with a throwaway self-signed certificate made by `cryptography`;
  REQUESTS_CA_BUNDLE names it, so az verifies TLS as usual and trusts only that certificate;
* `Profile.get_login_credentials` is replaced by one returning a fake token credential, so no identity
  provider is ever contacted and no credential exists anywhere;
* the server answers the GET with the current model, captures the PUT body and echoes it back (200, so the
  long-running-operation poller finishes at once); any other request is answered 404 and recorded.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from loopback_cert import self_signed_certificate

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
TENANT = "00000000-0000-0000-0000-0000000000aa"


@dataclass
class Exchange:
    """What the loopback server saw for one az invocation."""

    current: dict[str, Any] = field(default_factory=dict)
    puts: list[Any] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


@dataclass
class AzOutcome:
    exit_code: int
    put: Any  # the captured PUT body, or None when nothing was sent
    error: str  # what az printed on stderr (its refusal reason)


def _handler(exchange: Exchange) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if "/virtualMachineScaleSets/" in self.path and "/virtualMachines" not in self.path:
                self._send(200, exchange.current)
                return
            exchange.other.append("GET " + self.path)
            self._send(404, {"error": {"code": "NotFound", "message": "not on loopback"}})

        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            exchange.puts.append(body)
            self._send(200, body)

        def do_POST(self) -> None:
            exchange.other.append("POST " + self.path)
            self._send(404, {"error": {"code": "NotFound", "message": "not on loopback"}})

        do_PATCH = do_POST
        do_DELETE = do_POST

    return Handler


class _FakeToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("fake-loopback-token", int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo("fake-loopback-token", int(time.time()) + 3600)


class LoopbackAz:
    """One server and one config dir for many invocations (command loading is the slow part)."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="vmss-lint-azcli-")
        root = Path(self._tmp.name)
        config = root / "config"
        config.mkdir()
        (config / "azureProfile.json").write_text(
            json.dumps(
                {
                    "installationId": "00000000-0000-0000-0000-00000000beef",
                    "subscriptions": [
                        {
                            "id": SUBSCRIPTION,
                            "name": "loopback",
                            "state": "Enabled",
                            "user": {"name": "loopback@example.invalid", "type": "user"},
                            "isDefault": True,
                            "tenantId": TENANT,
                            "environmentName": "AzureCloud",
                            "homeTenantId": TENANT,
                            "managedByTenants": [],
                        }
                    ],
                }
            )
        )
        (config / "config").write_text(
            "[core]\ncollect_telemetry = no\nsurvey_message = no\nno_color = yes\nfirst_run = no\n"
            "[auto-upgrade]\nenable = no\n"
        )
        cert, key = (str(p) for p in self_signed_certificate(root, "loopback"))
        self._env = {
            "AZURE_CONFIG_DIR": str(config),
            "REQUESTS_CA_BUNDLE": cert,
            "AZURE_CORE_COLLECT_TELEMETRY": "no",
            "AZURE_CORE_SURVEY_MESSAGE": "no",
            "AZURE_CORE_OUTPUT": "none",
        }
        self.exchange = Exchange()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.exchange))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.endpoint = f"https://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._tmp.cleanup()

    @contextlib.contextmanager
    def _environment(self) -> Iterator[None]:
        saved = {k: os.environ.get(k) for k in self._env}
        os.environ.update(self._env)
        from azure.cli.core import _profile

        original = _profile.Profile.get_login_credentials

        def fake(self: Any, *args: Any, **kwargs: Any) -> Any:
            return _FakeToken(), SUBSCRIPTION, TENANT

        _profile.Profile.get_login_credentials = fake  # type: ignore[method-assign]
        try:
            yield
        finally:
            _profile.Profile.get_login_credentials = original  # type: ignore[method-assign]
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def update(self, current_rest: dict[str, Any], args: list[str]) -> AzOutcome:
        """`az vmss update -g rg -n name ARGS` against `current_rest` (the REST GET body)."""
        from azure.cli.core import get_default_cli

        self.exchange.current = current_rest
        self.exchange.puts.clear()
        self.exchange.other.clear()
        err, out = io.StringIO(), io.StringIO()
        with self._environment():
            cli = get_default_cli()
            cli.cloud.endpoints.resource_manager = self.endpoint
            caught: list[BaseException] = []
            handler = cli.exception_handler

            def record(ex: BaseException) -> Any:
                caught.append(ex)
                return handler(ex)

            cli.exception_handler = record  # type: ignore[method-assign]
            with contextlib.redirect_stderr(err):
                try:
                    code = cli.invoke(
                        ["vmss", "update", "-g", "rg", "-n", "vmss", *args, "--only-show-errors"],
                        out_file=out,
                    )
                except SystemExit as exc:  # argparse refusals
                    code = int(exc.code or 0)
        put = self.exchange.puts[-1] if self.exchange.puts else None
        text = " ".join(line.strip() for line in err.getvalue().splitlines() if line.strip())
        if caught:
            text = f"{type(caught[0]).__name__}: {caught[0]}"
        return AzOutcome(code, put, text)


def azure_cli_version() -> str:
    from importlib.metadata import version

    return version("azure-cli")
