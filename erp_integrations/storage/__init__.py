from .upsert import UpsertResult, bulk_upsert

__all__ = ["UpsertResult", "bulk_upsert"]
