"""Persistence: the SQLAlchemy models, the database handle and its Alembic migrations."""

from bouclier.storage.db import Database
from bouclier.storage.models import BANK_KINDS, Bank, BankEntry

__all__ = ["BANK_KINDS", "Bank", "BankEntry", "Database"]
