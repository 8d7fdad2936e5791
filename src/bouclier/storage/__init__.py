"""Persistence: the SQLAlchemy models, the database handle and its Alembic migrations."""

from bouclier.storage.db import Database
from bouclier.storage.models import Bank, BankEntry

__all__ = ["Bank", "BankEntry", "Database"]
