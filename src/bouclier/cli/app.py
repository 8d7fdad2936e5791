"""What every command shares: the settings, read once, and the database, opened on first use.

The modules behind them (pydantic settings, SQLAlchemy, the bank store) are imported on first use
too, so that ``bouclier --help`` and a command's help import none of them.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bouclier.banks.store import BankStore
    from bouclier.media import Limits
    from bouclier.settings import Settings
    from bouclier.storage import Database


class App:
    @cached_property
    def settings(self) -> Settings:
        from bouclier.settings import load_settings

        return load_settings()

    @cached_property
    def db(self) -> Database:
        from bouclier.storage import Database

        return Database.open(self.settings.resolved_database_url)

    @cached_property
    def store(self) -> BankStore:
        from bouclier.banks.store import BankStore

        return BankStore(self.db, default_threshold=self.settings.default_threshold)

    @cached_property
    def limits(self) -> Limits:
        from bouclier.media import Limits

        return Limits.from_settings(self.settings)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
