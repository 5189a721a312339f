"""Hand-over to a person: a citizen who asks for one is queued for the 12345 operators.

Modules: `models` (the `handoffs` and `handoff_messages` tables), `queue` (request a person, the
open request of a sender, how many wait; used by the Rasa action), `conversations` (an operator
claims, both talk, the operator hands back; transcripts from Rasa's tracker). The operator pages
are in `bot/web/operator.py`; the citizen's side is the portal chat (`bot/web/chat.py`) or the
channel the citizen wrote from.
"""

from bot.handoff.models import ACTIVE, CLOSED, WAITING, Handoff, HandoffMessage
from bot.handoff.queue import open_handoff, request_handoff, waiting_count

__all__ = [
    "ACTIVE",
    "CLOSED",
    "WAITING",
    "Handoff",
    "HandoffMessage",
    "open_handoff",
    "request_handoff",
    "waiting_count",
]
