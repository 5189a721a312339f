"""Every table's module, imported so `Base.metadata` is complete (Alembic and tests use it)."""

from bot import accounts, audit, handoff, notices, numbering, status_checks  # noqa: F401
from bot.channels import telegram, wechat  # noqa: F401
from bot.consultation import models as consultation  # noqa: F401
from bot.db import Base
from bot.disclosure import models as disclosure  # noqa: F401
from bot.hotspots import models as hotspots  # noqa: F401
from bot.publishing import models as publishing  # noqa: F401
from bot.scorecard import snapshot as scorecard  # noqa: F401
from bot.tickets import corrections  # noqa: F401
from bot.tickets import models as tickets  # noqa: F401
from bot.web import models as web  # noqa: F401

metadata = Base.metadata
