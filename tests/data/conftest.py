"""Fixtures for the data tests: an isolated environment and a loopback HTTP server.

Every test here runs with the user cache in a temporary folder, no $GWIN_DATA_DIR, no Debian
folder and $GWIN_MIRRORS pointing at a closed loopback port, so nothing can read the real
cache or reach the internet by accident.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import gwin.data.idx_files as idx_files


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for var in ("GWIN_DATA_DIR", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("GWIN_MIRRORS", "http://127.0.0.1:9/")  # discard port: refused
    monkeypatch.setattr(idx_files, "DEBIAN_DIRS", {})


@dataclass
class Server:
    root: Path
    url: str
    hits: list[str]
    fail_500: dict[str, int] = field(default_factory=dict)  # path -> 500s still to send
    truncate: dict[str, int] = field(default_factory=dict)  # path -> short bodies to send


class _Handler(SimpleHTTPRequestHandler):
    state: Server

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        state = self.state
        state.hits.append(self.path)
        if state.fail_500.get(self.path, 0) > 0:
            state.fail_500[self.path] -= 1
            self.send_error(500)
            return
        if state.truncate.get(self.path, 0) > 0:
            state.truncate[self.path] -= 1
            body = (state.root / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def http_server(tmp_path):
    """A ThreadingHTTPServer on 127.0.0.1 serving tmp_path/www, recording request paths."""
    root = tmp_path / "www"
    root.mkdir()
    state = Server(root=root, url="", hits=[])
    handler = functools.partial(type("H", (_Handler,), {"state": state}), directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
