from .upsert import UpsertResult, bulk_upsert, ids_by_external_id, insert_missing

__all__ = ["UpsertResult", "bulk_upsert", "ids_by_external_id", "insert_missing"]
