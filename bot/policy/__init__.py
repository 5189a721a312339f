"""Policy knowledge base and retrieval (政策解读 Q&A) for the Zhoushan assistant.

Public API for the Rasa actions and the web service::

    from bot.policy import KnowledgeBase, format_reply

    kb = KnowledgeBase.load(settings.knowledge_dir)   # once per process (~1 s); then thread-safe
    answer = kb.ask("一把手要不要亲自出来讲政策？")      # -> Answer, never raises on bad input
    reply = format_reply(answer)                         # Chinese chat text with its source
    answer.confident, answer.best, answer.suggestions    # decide: answer, or offer buttons
    answer.to_dict()                                     # JSON-ready (slots, web API)

    follow = kb.followup("具体是哪一条？", previous=answer)  # the clause behind the last answer
    kb.ask("那要多久？", context_policy_id=answer.best.policy_id)  # prefer the policy in context
    [p.title for p in kb.policies]                       # listing; kb.policy(id) for one
    Result(**answer.best.to_dict())                      # rebuilt from a slot for followup()

`Answer.reason` is None when there are results, otherwise one of the codes in
`bot.policy.answers.REASONS` (empty, no_content, too_long, not_chinese, no_match,
no_previous). `KnowledgeBase.load` raises `PolicyFileError`, whose `problems` name the file and
line of each malformed entry, or `DataFileError` for a malformed synonyms or settings file; its
`cache_dir` (default: the system temp folder) keeps a compact jieba dictionary between runs.
The data formats are described in knowledge/policies/README.md.
"""

from bot.policy.answers import REASONS, Answer, Result, format_reply
from bot.policy.kb import KnowledgeBase
from bot.policy.loader import PolicyFileError, load_policies, load_policy
from bot.policy.model import Clause, Interpretation, Policy, QAPair

__all__ = [
    "REASONS",
    "Answer",
    "Clause",
    "Interpretation",
    "KnowledgeBase",
    "Policy",
    "PolicyFileError",
    "QAPair",
    "Result",
    "format_reply",
    "load_policies",
    "load_policy",
]
