"""A Shopee Open Platform v2 sandbox: Shopee's checks, envelopes and errors over seeded shops
with ground truth (``/sandbox/v1/stats``). ``erp-integrations sandbox shopee`` serves it."""

from .server import SandboxServer, create_sandbox_app
from .state import SandboxConfig

__all__ = ["SandboxConfig", "SandboxServer", "create_sandbox_app"]
