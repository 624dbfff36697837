"""The sandbox kit: what every marketplace sandbox shares, beginning with its server.

A sandbox is a Flask app that behaves as the marketplace does (its checks in their order, its
envelopes and errors, its paging and limits) over seeded data with ground truth. Tests, the
demo and the benchmarks run it on a real loopback socket with ``SandboxServer``.
"""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """No access log line per request: a backfill makes thousands."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class SandboxServer:
    """A sandbox app on a real socket in a background thread (tests, the demo, benchmarks), or
    in the calling thread (the CLI). Subclasses stop their own background work in ``on_stop``."""

    thread_name = "sandbox"

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        self.app = app
        self._server = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler if quiet else None)
        self.host, self.port = host, self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def on_stop(self) -> None:
        pass

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI); stop with Ctrl+C."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
            self.on_stop()

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()  # release the listening socket, not only the loop
        self.on_stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
