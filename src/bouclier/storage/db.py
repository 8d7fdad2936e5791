"""The database: one engine per URL, transactions as context managers, migrations at open.

SQLite (a file in the data folder) is the embedded default; PostgreSQL is the production choice
(``BOUCLIER_DATABASE_URL=postgresql+psycopg://...``). Both run the same Alembic migrations, which
:meth:`Database.open` applies, so a fresh machine needs no separate set-up step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bouclier.errors import ConfigError
from bouclier.filemodes import create_private_file

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer commits; synchronous=FULL makes a commit durable
    # before it is acknowledged (nothing acknowledged may be lost); foreign keys are off by
    # default in SQLite and the schema relies on them for cascades; secure_delete overwrites
    # deleted content, so a withdrawn template or hash cannot be read back from free pages.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """An engine and its session factory. Use :meth:`open` to get one that is migrated."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError(f"BOUCLIER_DATABASE_URL is not a database URL: {url!r}") from None
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigError(f"unsupported database {self.dialect!r}: use sqlite or postgresql")
        if self.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
            # made here, empty, with mode 0600 (its folder 0700): SQLite gives its -wal and -shm
            # files the database file's mode, so all three are readable by their owner only
            create_private_file(Path(parsed.database).expanduser())
        self.engine: Engine = create_engine(url, pool_pre_ping=self.dialect == "postgresql")
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Database:
        db = cls(url)
        db.upgrade()
        return db

    def upgrade(self) -> None:
        """Applies every Alembic migration not yet applied (idempotent)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection_url"] = self.url
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise ConfigError(f"cannot open the database: {exc.orig}") from None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
