"""The per-process set of shared resources (database, knowledge base, router).

Built once per process from `Settings` and handed to whoever needs it: the web service keeps it on
`app.ctx.services`, the action server gets it from `services()`. Expensive parts load lazily so a
process that never answers a policy question never builds the search index.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from bot.config import Settings
from bot.db import Database


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def router(self):
        from bot.tickets.routing import Router

        return Router.load(self.settings.knowledge_dir)

    @cached_property
    def kb(self):
        from bot.policy import KnowledgeBase

        return KnowledgeBase.load(self.settings.knowledge_dir)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


@lru_cache(maxsize=1)
def services() -> Services:
    """The action server's services, configured from the environment."""
    return Services(Settings.from_env())
