"""Rasa SDK actions: thin glue between the dialogue and the `bot` package.

Importing the package loads nothing heavy; `actions.warmup` (imported by the action server, which
walks every module of the package) loads the knowledge base and the router before it forks.
"""
