"""What the disclosure service refuses, as exceptions whose Chinese message can be shown."""

from __future__ import annotations

from typing import Optional


class DisclosureError(ValueError):
    """A refused operation; the message is Chinese and safe to show to the actor."""


class DisclosureNotFound(DisclosureError):
    pass


class DisclosureForbidden(DisclosureError):
    pass


class DisclosureInvalid(DisclosureError):
    """The request itself is wrong. `kind` says why when the citizen should go elsewhere:
    "complaint" (file a 12345 ticket) or "enterprise" (not a government organ)."""

    def __init__(self, message: str, kind: str = "invalid", problems: Optional[dict] = None):
        super().__init__(message)
        self.kind = kind
        self.problems = problems or {}


class DisclosureRepeated(DisclosureInvalid):
    def __init__(self, message: str, number: str):
        super().__init__(message, "repeated")
        self.number = number


class DisclosureConflict(DisclosureError):
    """The application is not in a status that allows the operation."""
