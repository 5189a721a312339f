"""Rasa SDK actions: thin glue between the dialogue and the `bot` package.

Importing this package loads nothing heavy: the action server (`bot.action_server`) loads the
knowledge base and the router before it serves.
"""
