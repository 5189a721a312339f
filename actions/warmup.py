"""Load the knowledge base and the router when the action server starts.

The action server imports every module of `actions` before it answers its health check (and before
Sanic forks its workers, which inherit what is loaded), so the first citizen's question never waits
for them and never runs into Rasa's action timeout. Tests that import one action module skip this.
"""

from bot.services import services

_warm = services()
_warm.kb, _warm.router  # noqa: B018 - loading them is the point
