"""Writes a policy file's `asked:` section (问法: questions citizens really asked, each answered
with the clause's own words) from labelled question files.

A labelled file is what `python -m bot eval qa` reads: `questions:` items {q, clause, facts}.
Each question becomes an asked question of its clause, answered with the clause's sentence that
holds its facts (narrowed to the clauses between commas around them when the sentence is longer
than an answer may be); a question with no clause, no facts found in it, or out of scope is left
out. The section is rewritten whole, at the end of the policy file, each entry naming its
`source` (the labelled file's name), so `python -m bot eval qa FILE --leave-out SOURCE` can
measure a set without its own questions.

Usage (the rules' asked questions are the studied paraphrase sets; never a set kept blind):
    PYTHONPATH=. .venv/bin/python scripts/add_asked.py \\
        knowledge/policies/zhoushan-open-government-rules.yml \\
        knowledge/eval/policy_qa.yml knowledge/eval/rules_qa_unseen/questions.yml ...
Review the diff: an asked question is knowledge the library answers from.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.policy.loader import MAX_QA_ANSWER_CHARS, load_policy  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[。；！？])")
_COMMA = re.compile(r"(?<=[，、：])")
_HEADER = "# 问法 (asked questions): written by scripts/add_asked.py; review the diff.\n"


def squeezed(text: str) -> str:
    return "".join(text.split())


def answer_for(text: str, facts: list[str]) -> str | None:
    """The shortest run of `text` holding every fact: its sentence, or within a sentence too
    long for an answer the fewest comma-separated pieces around them."""
    facts = [squeezed(f) for f in facts if f]
    if not facts:
        return None
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not all(f in squeezed(sentence) for f in facts):
            continue
        if len(sentence) <= MAX_QA_ANSWER_CHARS:
            return sentence
        pieces = _COMMA.split(sentence)
        best = None
        for start in range(len(pieces)):
            for end in range(start + 1, len(pieces) + 1):
                run = "".join(pieces[start:end]).strip()
                if len(run) > MAX_QA_ANSWER_CHARS:
                    break
                if all(f in squeezed(run) for f in facts) and (best is None or len(run) < len(best)):
                    best = run
        return best
    return None


def entries(policy_path: Path, labelled: list[Path]) -> list[dict[str, str]]:
    policy = load_policy(policy_path)
    seen = {pair.question for pair in policy.qa}
    found = []
    for path in labelled:
        source = path.stem if path.stem != "questions" else path.parent.name
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            clause = policy.clause(str(item.get("clause") or ""))
            if item.get("none") or clause is None or item["q"] in seen:
                continue
            answer = answer_for(clause.full_text, [str(f) for f in item.get("facts") or []])
            if answer:
                seen.add(item["q"])
                found.append({"q": item["q"], "a": answer, "clause": clause.id, "source": source})
    return found


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    policy_path, labelled = Path(argv[0]), [Path(a) for a in argv[1:]]
    found = entries(policy_path, labelled)
    text = policy_path.read_text(encoding="utf-8")
    cut = re.search(r"^(# 问法 \(asked questions\).*\n)?asked:", text, re.MULTILINE)
    if cut:
        text = text[: cut.start()]
    lines = [_HEADER, "asked:\n"] + [
        "- {" + ", ".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()) + "}\n"
        for entry in found
    ]
    policy_path.write_text(text.rstrip("\n") + "\n" + "".join(lines), encoding="utf-8")
    load_policy(policy_path)  # raises with file and line when an entry is wrong
    print(f"{len(found)} asked questions written to {policy_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
