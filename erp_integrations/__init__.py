"""erp-integrations: a marketplace integration host for ERPs.

The host knows accounts, storage, jobs, webhooks and the ERP tables; marketplaces arrive as
pluggy connectors found through the ``erp_integrations`` entry-point group.
"""

__version__ = "0.1.0"
