"""The Rasa action server, started with the knowledge base and the router already loaded.

`python -m bot.action_server --actions actions --port 5055` takes rasa_sdk's arguments. Loading
happens here, before the server answers its health check (and before Sanic forks its workers,
which inherit them), so the first citizen's question never waits for the routing models and
never runs into Rasa's action timeout, while importing `actions` (tests, tools) trains nothing.
"""

from __future__ import annotations

from rasa_sdk.__main__ import main as serve

from bot.services import services


def main() -> None:
    services().warm()
    serve()


if __name__ == "__main__":
    main()
