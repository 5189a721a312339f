"""The per-process set of shared resources (database, knowledge base, router).

Built once per process from `Settings` and handed to whoever needs it: the web service keeps it on
`app.ctx.services`, the action server gets it from `services()`. Expensive parts load lazily so a
process that never answers a policy question never builds the search index; a service calls
`warm` to load them before it answers, so no citizen waits for them.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import cached_property, lru_cache

from bot.config import Settings
from bot.db import Database
from bot.heap import settle

_log = logging.getLogger(__name__)


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._kb_lock = threading.Lock()
        self._kb_checked = 0.0
        self._seeded = False
        self._register_seen: object = None

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def router(self):
        from bot.tickets.routing import Router

        return Router.load(self.settings.knowledge_dir)

    @property
    def kb(self):
        """The policy library; reloaded (from its persisted index) when its files change, so an
        import reaches running services without a restart or a new Rasa model. Each check first
        brings the entries published through review from the register (`bot.policy.publication`)."""
        from bot.policy.kb import KnowledgeBase, library_fingerprint
        from bot.policy.publication import published_dir

        now = time.monotonic()
        with self._kb_lock:
            current = self.__dict__.get("_kb")
            if current is not None and now - self._kb_checked < self.settings.kb_reload_seconds:
                return current[1]
            self._kb_checked = now
            self._sync_library()
            published = published_dir(self.settings.var_dir)
            fingerprint = library_fingerprint(self.settings.knowledge_dir, published)
            if current is None or current[0] != fingerprint:
                loaded = KnowledgeBase.load(
                    self.settings.knowledge_dir,
                    cache_dir=self.settings.var_dir / "cache",
                    published_dir=published,
                )
                self._kb = (fingerprint, loaded)
                if current is not None:
                    current = None  # the old library, whose cycles were frozen with it, goes
                    settle()
            return self._kb[1]

    def warm(self) -> None:
        """Load the policy library (and what its first question would build), the router and
        jieba's own dictionary (opinions are grouped with it) now, then settle the heap
        (`bot.heap`): the first opinion confirmed waited about 2 s for jieba's dictionary, and
        later ones for collections of all of it."""
        import jieba

        self.kb.warm()  # loading it (and what its first question would build) is the point
        self.router  # noqa: B018
        jieba.initialize()
        settle()

    def refresh_kb(self) -> None:
        """Check the library (and the register) on the next use, e.g. after a publication."""
        with self._kb_lock:
            self._kb_checked = 0.0

    def _sync_library(self) -> None:
        """Seed publication once per process, then the newest published entries (when the
        register changed). A failure is logged and retried at the next check."""
        from sqlalchemy.exc import SQLAlchemyError

        from bot.policy import publication

        try:
            with self.db.session() as session:
                change = publication.last_change(session)
                if self._seeded and change == self._register_seen:
                    return
                publication.sync(
                    session, self.settings.knowledge_dir, self.settings.var_dir, seed=not self._seeded
                )
                self._seeded, self._register_seen = True, publication.last_change(session)
        except (SQLAlchemyError, OSError) as error:
            _log.warning("policy library: register sync failed, retrying later: %s", error)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


@lru_cache(maxsize=1)
def services() -> Services:
    """The action server's services, configured from the environment."""
    return Services(Settings.from_env())
