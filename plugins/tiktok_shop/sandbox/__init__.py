"""A faithful, scalable emulator of the TikTok Shop Open API for the demo, tests and benchmarks.

Start it with ``erp-integrations sandbox tiktok-shop`` or in-process with
:class:`~.server.SandboxServer`. Its control API (``/sandbox/v1``) is not TikTok's: it moves
orders through their lifecycle, injects faults, triggers webhooks and reports ground truth.
"""

from .server import SandboxConfig, SandboxServer, create_sandbox_app

__all__ = ["SandboxConfig", "SandboxServer", "create_sandbox_app"]
