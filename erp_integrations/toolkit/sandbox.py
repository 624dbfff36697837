"""The sandbox kit: what every marketplace sandbox shares: its server, and outgoing webhooks
signed and retried on a schedule.

A sandbox is a Flask app that behaves as the marketplace does (its checks in their order, its
envelopes and errors, its paging and limits) over seeded data with ground truth. Tests, the
demo and the benchmarks run it on a real loopback socket with ``SandboxServer``.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


@dataclass
class Faults:
    """Where injected failures apply: the paths they target (empty: every path), after letting
    ``after`` matching requests through first (to break a sync mid-way). A sandbox adds the
    failures it can inject (rates per request)."""

    paths: tuple[str, ...] = ()
    after: int = 0

    def applies(self, path: str) -> bool:
        if self.paths and not any(path.startswith(p) for p in self.paths):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        return True


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


def sandbox_server(name: str, create_app: Callable[..., Flask], extension: str, outgoing: str) -> type[SandboxServer]:
    """The server class of one sandbox: ``Server(config, host, port, quiet)`` builds its app
    with ``create_app(config)``, ``server.sandbox`` is its state (the app extension named
    ``extension``), and stopping the server stops its outgoing dispatcher (the state's
    attribute ``outgoing``: webhooks, pushes) so no delivery thread outlives it."""

    class Server(SandboxServer):
        __doc__ = f"The {name} on a real socket."
        thread_name = name

        def __init__(self, config=None, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
            super().__init__(create_app(config), host, port, quiet)

        @property
        def sandbox(self):
            return self.app.extensions[extension]

        def on_stop(self) -> None:
            getattr(self.sandbox, outgoing).stop()

    return Server


log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """One webhook: its id, the shop it concerns (the sandbox's shop index), where it goes,
    the exact body, and every attempt made."""

    id: str
    shop: int
    event_type: str
    address: str
    body: bytes
    attempts: list[dict] = field(default_factory=list)
    state: str = "pending"  # pending, delivered, failed

    def as_dict(self) -> dict:
        return {
            "notification_id": self.id,
            "shop": self.shop,
            "event_type": self.event_type,
            "address": self.address,
            "state": self.state,
            "attempts": self.attempts,
            "body": self.body.decode(),
        }


class WebhookDispatcher:
    """Posts deliveries from sender threads. An attempt succeeds on ``accepted(status)`` within
    ``ack_timeout`` seconds; a failed one is tried again after each delay of
    ``retry_schedule`` (divided by ``time_factor()``, so tests can let hours pass as seconds),
    then given up. Subclasses build the marketplace's payloads and give ``headers(delivery)``
    (its signature)."""

    retry_schedule: tuple[float, ...] = ()
    ack_timeout = 3.0
    senders = 4

    def __init__(self, name: str, time_factor: Callable[[], float] = lambda: 1.0):
        self.time_factor = time_factor
        self.deliveries: list[Delivery] = []
        self._heap: list[tuple[float, int, Delivery]] = []
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._stopped = False
        # Several senders, as a marketplace does not post one shop's events through one
        # connection one at a time: with a single sender, one slow answer held up every
        # delivery behind it. A delivery's own attempts stay in order (it is queued once).
        self._threads = [threading.Thread(target=self._run, args=(requests.Session(),), name=f"{name}-webhooks-{k}", daemon=True) for k in range(self.senders)]
        for thread in self._threads:
            thread.start()

    def headers(self, delivery: Delivery) -> dict[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def accepted(self, status: int) -> bool:
        return status == 200

    def enqueue(self, delivery: Delivery) -> Delivery:
        with self._condition:
            self.deliveries.append(delivery)
            heapq.heappush(self._heap, (time.monotonic(), next(self._sequence), delivery))
            self._condition.notify_all()
        return delivery

    def _run(self, session: requests.Session) -> None:
        while True:
            with self._condition:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._condition.wait(timeout)
                if self._stopped:
                    return
                _, _, delivery = heapq.heappop(self._heap)
            # Attempts run outside the lock: a slow receiver must not block new events.
            self._attempt(delivery, session)

    def _attempt(self, delivery: Delivery, session: requests.Session) -> None:
        started = time.monotonic()
        try:
            response = session.post(
                delivery.address, data=delivery.body, headers={"Content-Type": "application/json", **self.headers(delivery)}, timeout=self.ack_timeout
            )
            outcome, ok = response.status_code, self.accepted(response.status_code)
        except requests.RequestException as exc:
            outcome, ok = type(exc).__name__, False
        with self._condition:
            delivery.attempts.append({"at": int(time.time()), "outcome": outcome, "seconds": round(time.monotonic() - started, 3)})
            retries_done = len(delivery.attempts) - 1
            if ok:
                delivery.state = "delivered"
            elif retries_done >= len(self.retry_schedule):
                delivery.state = "failed"
                log.warning("webhook %s to %s failed after %d attempts", delivery.id, delivery.address, len(delivery.attempts))
            else:
                delay = self.retry_schedule[retries_done] / max(self.time_factor(), 1e-9)
                heapq.heappush(self._heap, (time.monotonic() + delay, next(self._sequence), delivery))
            self._condition.notify_all()

    def wait_settled(self, timeout: float) -> bool:
        """Block until no delivery is pending (delivered or given up), or the timeout passes."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while any(d.state == "pending" for d in self.deliveries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()


def sandbox_command(name: str, port: int, orders: int, shops_help: str = "Shops to seed."):
    """Declare ``erp-integrations sandbox NAME`` with the options every sandbox takes (where to
    listen, the seed, how many shops and orders); the decorated function gets them and
    returns the server to run, which then serves until Ctrl+C."""
    import functools

    import click

    def decorate(start):
        @click.command(name)
        @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
        @click.option("--port", default=port, show_default=True, help="Port to listen on.")
        @click.option("--seed", default=42, show_default=True, help="Same seed, same data.")
        @click.option("--shops", default=2, show_default=True, help=shops_help)
        @click.option("--orders", default=orders, show_default=True, help="Orders per shop.")
        @functools.wraps(start)
        def command(**options):
            server = start(**options)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass

        return command

    return decorate
