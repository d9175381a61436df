"""A package index on loopback (PEP 503, the "simple" API pip reads), serving the wheels of one folder.

The Action's `version` input installs `vmss-lint==VERSION` from the package index. Its test builds a wheel
of this checkout, serves it here over real HTTP, and points pip at it with PIP_EXTRA_INDEX_URL: pip then
resolves the release exactly as it would on PyPI (the dependencies still come from the usual index), and
the server's log shows which files pip fetched.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def normalized(project: str) -> str:
    """PEP 503's name normalization: `vmss_lint` and `VMSS.Lint` are `vmss-lint`."""
    return re.sub(r"[-_.]+", "-", project).lower()


@contextmanager
def serve_wheels(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """(the index URL, the paths requested so far) while the server runs; it stops on exit."""
    wheels = {path.name: path for path in sorted(folder.glob("*.whl"))}
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if parts[:1] == ["files"] and len(parts) == 2 and parts[1] in wheels:
                self._send(wheels[parts[1]].read_bytes(), "application/octet-stream")
            elif parts[:1] == ["simple"] and len(parts) == 2:
                links = [
                    f'<a href="/files/{html.escape(name)}#sha256={hashlib.sha256(path.read_bytes()).hexdigest()}">'
                    f"{html.escape(name)}</a><br>"
                    for name, path in wheels.items()
                    if normalized(name.split("-")[0]) == normalized(parts[1])
                ]
                if links:
                    self._send(
                        ("<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>").encode(),
                        "text/html",
                    )
                else:
                    self.send_error(404)
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
