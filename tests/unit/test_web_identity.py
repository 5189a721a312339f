"""The portal citizen's identity: minted and signed by the server, never chosen by a client."""

from __future__ import annotations

from bot.web import identity

SECRET = "a-secret-for-tests"
NOW = 1_796_600_000


def test_a_minted_cookie_proves_one_portal_conversation():
    value = identity.mint(SECRET, now=NOW)
    sender = identity.conversation_of(SECRET, value, now=NOW + 60)
    assert sender is not None and sender.startswith("portal:") and len(sender) == len("portal:") + 32
    assert identity.conversation_of(SECRET, identity.mint(SECRET, now=NOW), now=NOW) != sender


def test_forged_changed_or_foreign_cookies_prove_nothing():
    value = identity.mint(SECRET, now=NOW)
    token, issued, signature = value.split(".")
    other_token = "0" * 32
    for forged in (
        f"{other_token}.{issued}.{signature}",
        f"{token}.{int(issued) + 1}.{signature}",
        f"{token}.{issued}.{'0' * 64}",
        "telegram:5550001",
        "portal:" + token,
        "",
        value + "x",
    ):
        assert identity.conversation_of(SECRET, forged, now=NOW) is None, forged
    assert identity.conversation_of("another-secret", value, now=NOW) is None


def test_an_old_cookie_starts_a_new_conversation():
    value = identity.mint(SECRET, now=NOW)
    assert identity.conversation_of(SECRET, value, now=NOW + identity.MAX_AGE_SECONDS) is None
    assert identity.conversation_of(SECRET, value, now=NOW - 10) is None, "issued in the future"


def test_consoles_show_a_stable_label_not_the_sender():
    sender = "telegram:5550001"
    label = identity.citizen_label(SECRET, sender)
    assert label.startswith("市民·Telegram·") and "5550001" not in label
    assert identity.citizen_label(SECRET, sender) == label
    assert identity.citizen_label(SECRET, "telegram:5550002") != label
    assert identity.citizen_label("other", sender) != label
    assert identity.shown_actor(SECRET, f"citizen:{sender}") == label
    assert identity.shown_actor(SECRET, "operator:wang") == "operator:wang"
    assert identity.citizen_label(SECRET, "portal:" + "a" * 32).startswith("市民·网页·")
