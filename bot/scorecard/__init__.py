"""The city's scorecard against its own rules (考核指标), computed from stored data.

card = build(session, "2026-11", settings.knowledge_dir)
card.city[0].shown, card.city[0].numerator, card.city[0].denominator   # "87.5%", 7, 8
"""

from bot.scorecard.card import Scorecard, build, drill_down, to_csv, trend
from bot.scorecard.figures import AREAS, DEFINITIONS, NO_DATA, Figure

__all__ = [
    "AREAS",
    "DEFINITIONS",
    "NO_DATA",
    "Figure",
    "Scorecard",
    "build",
    "drill_down",
    "to_csv",
    "trend",
]
