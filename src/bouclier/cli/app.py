"""What every command shares: the settings, read once, and the database, opened on first use."""

from __future__ import annotations

from functools import cached_property

from bouclier.banks.store import BankStore
from bouclier.media import Limits
from bouclier.settings import Settings, load_settings
from bouclier.storage import Database


class App:
    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def db(self) -> Database:
        return Database.open(self.settings.resolved_database_url)

    @cached_property
    def store(self) -> BankStore:
        return BankStore(self.db, default_threshold=self.settings.default_threshold)

    @cached_property
    def limits(self) -> Limits:
        return Limits.from_settings(self.settings)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
