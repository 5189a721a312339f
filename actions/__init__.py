"""Rasa SDK actions: thin glue between the dialogue and the `bot` package.

The knowledge base and the router are loaded when the action server imports this package, before
it answers its health check (and before Sanic forks its workers, which inherit them), so the first
citizen's question never waits for them and never runs into Rasa's action timeout.
"""

from bot.services import services

_warm = services()
_warm.kb, _warm.router  # noqa: B018 - loading them is the point
