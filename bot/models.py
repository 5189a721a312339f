"""Every table's module, imported so `Base.metadata` is complete (Alembic and tests use it)."""

from bot import accounts, audit, handoff  # noqa: F401
from bot.db import Base
from bot.tickets import models as tickets  # noqa: F401

metadata = Base.metadata
