"""SQLite storage: schema, migrations and queries. Knows no HTTP."""

from reader.storage.connection import StorageError
from reader.storage.schema import SCHEMA_VERSION
from reader.storage.store import Storage

__all__ = ["SCHEMA_VERSION", "Storage", "StorageError"]
