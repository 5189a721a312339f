"""Rasa SDK actions: thin glue between the dialogue and the `bot` package."""
