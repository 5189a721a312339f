"""Paths and sample policies for the policy knowledge-base tests."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from bot.policy.analysis import Analyzer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = PROJECT_ROOT / "knowledge"
SEED = PROJECT_ROOT / "tests" / "data" / "zhoushan-open-government-rules.txt"

EXPIRED_SAMPLE = """\
id: sample-parking
title: 示例：舟山市停车收费管理办法
doc_no: 示例〔2015〕1号
issuer: 示例单位
published: 2015-01-01
effective: 2015-02-01
expires: 2018-12-31
url: https://example.org/parking
sample: true
structure:
- id: '1'
  label: 第一条
  text: 本办法适用于本市城区道路停车泊位的收费管理。
- id: '2'
  label: 第二条
  text: 路内停车泊位首小时收费三元，之后每半小时收费一元五角。夜间二十点至次日七点免费停放。
qa:
- q: 路边停车怎么收费？
  a: 路内停车泊位首小时收费三元，之后每半小时收费一元五角；夜间二十点至次日七点免费。
  clause: '2'
"""

CURRENT_SAMPLE = """\
id: sample-ferry
title: 示例：舟山市海岛客运码头服务规范
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 客运码头应当在售票窗口公示航班时刻和票价，航班取消时在售票处和网站同步公告。
- id: '2'
  label: 第二条
  text: 旅客购票后因航班取消不能出行的，可以在七日内全额退票。
"""


def write_policy(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def knowledge_folder(root: Path, policies: dict[str, str]) -> Path:
    """A knowledge folder at `root` with the shipped dictionaries and settings and `policies`
    (id → policy file text)."""
    shutil.copytree(KNOWLEDGE / "dictionary", root / "dictionary")
    for name in ("synonyms.yml", "policy_stopwords.txt", "policy_retrieval.yml"):
        shutil.copy(KNOWLEDGE / name, root / name)
    for name, text in policies.items():
        write_policy(root / "policies", name, text)
    return root


def shipped_analyzer(corpus: list[str], cache: Path) -> Analyzer:
    """An analyzer with the shipped dictionaries, stop words and synonyms over `corpus`."""
    return Analyzer.build(
        KNOWLEDGE / "dictionary",
        KNOWLEDGE / "policy_stopwords.txt",
        KNOWLEDGE / "synonyms.yml",
        corpus,
        cache,
    )
