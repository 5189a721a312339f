"""An everyday phrase and its official terms count once in a document's score
(Analyzer.concepts, bot.policy.kb.alternative_scores); a document's passages are ordered by the
question's words that set them apart (KnowledgeBase._contrast_shares); the life-events words of
knowledge/synonyms.yml.

The questions and documents are written for these tests (none is in knowledge/eval).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from bot.policy.analysis import Analyzer, Synonyms
from bot.policy.index import FieldedBM25
from bot.policy.kb import alternative_scores
from tests.unit.policy_data import knowledge_folder, shipped_analyzer

pytest_plugins = ["tests.unit.policy_fixtures"]


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    corpus = ["老年人优待", "遗体火化应当凭死亡证明。", "自然灾害救助", "菜场", "菜市场管理"]
    return shipped_analyzer(corpus, tmp_path_factory.mktemp("jieba"))


def test_matches_are_the_phrases_expand_reads() -> None:
    synonyms = Synonyms({"老人": ["老年人"], "走了": ["死亡"], "家里": ["家庭", "家中"]})
    found = synonyms.matches("老人在家里走了")
    assert sorted(found) == [(0, 2, ("老年人",)), (3, 5, ("家庭", "家中")), (5, 7, ("死亡",))]
    assert synonyms.expand("老人在家里走了") == {"老年人": 1.0, "家庭": 0.5, "家中": 0.5, "死亡": 1.0}
    # an official term the question already holds is not searched again, yet keeps its share
    assert synonyms.expand("家庭家里") == {"家中": 0.5}


def test_a_phrase_and_its_official_terms_are_the_forms_of_one_concept(analyzer: Analyzer) -> None:
    concepts = analyzer.concepts("老人在家里走了 送去火化要带什么证明")
    by_own = {next(iter(forms[0][0]), ""): forms for forms in concepts}
    assert "老人" in by_own
    forms = by_own["老人"]
    assert forms[0] == (frozenset({"老人"}), frozenset({"老人"}))
    assert any("老年人" in words for words, _ in forms[1:])
    # a word of the question in no phrase is no concept: it counts on its own as before
    assert not any("火化" in words for forms in concepts for words, _ in forms)


def test_the_questions_own_words_beside_a_phrase_stay_its_own_evidence(analyzer: Analyzer) -> None:
    """台风这种灾害: 台风 stands for 自然灾害, whose words include 灾害, which the question says
    itself beside it; 灾害 keeps counting on its own, not as one form of 台风."""
    concepts = analyzer.concepts("台风这种灾害怎么救助")
    forms = next(forms for forms in concepts if "台风" in forms[0][0])
    assert all("灾害" not in words and "灾害" not in pairs for words, pairs in forms)


def test_a_shortenings_longer_form_is_a_form_of_its_concept(analyzer: Analyzer) -> None:
    concepts = analyzer.concepts("菜场几点开门", {"菜场": ["菜市场"]})
    forms = next(forms for forms in concepts if "菜场" in forms[0][0])
    assert any("菜市场" in words for words, _ in forms[1:])


def _index(documents: list[list[str]]) -> FieldedBM25:
    return FieldedBM25([{"words": words} for words in documents], {"words": 1.0})


def test_a_document_counts_the_best_form_of_a_concept_not_their_sum() -> None:
    index = _index([["老人", "老年人", "家里"], ["火化", "死亡"], ["天气"], ["道路"]])
    query = {"words": {"老人": 1.0, "老年人": 1.0, "家里": 1.0, "火化": 1.0, "死亡": 1.0}}
    concepts = [[(frozenset({"老人"}), frozenset()), (frozenset({"老年人"}), frozenset())]]
    summed = index.scores(query)
    counted = alternative_scores(index, query, concepts)
    assert summed[0] > summed[1]  # two forms of one concept outweighed the rule's own words
    assert counted[0] < summed[0] and counted[1] == pytest.approx(summed[1])
    one_form = index.scores({"words": {"老人": 1.0}})[0]
    both_forms = index.scores({"words": {"老人": 1.0, "老年人": 1.0}})[0]
    assert counted[0] == pytest.approx(summed[0] - both_forms + one_form)
    # without concepts it is plain BM25
    assert np.allclose(alternative_scores(index, query, []), summed)


FAQ = """\
id: faq-residence
title: 电子居住证常见问题
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 家里的老人办理电子居住证，老年人可以由家里人代办；老人证明材料由家属准备。
- id: '2'
  label: 第二条
  text: 老年人、老人和家里的小孩都可以在手机上亮证，家里人帮老人操作即可。
"""

FUNERAL = """\
id: rule-funeral
title: 殡葬管理规定
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 火化遗体应当凭医疗机构出具的死亡证明。
- id: '2'
  label: 第二条
  text: 殡仪馆应当加强管理。
"""


@pytest.fixture
def two_documents(tmp_path: Path, cache_dir: Path) -> KnowledgeBase:
    root = knowledge_folder(tmp_path / "knowledge", {"faq-residence": FAQ, "rule-funeral": FUNERAL})
    return KnowledgeBase.load(root, cache_dir=cache_dir)


def test_an_faq_saying_the_everyday_word_and_its_term_no_longer_outweighs_the_rule(
    two_documents: KnowledgeBase,
) -> None:
    question = "老人在家里走了 送去火化要带什么证明"
    kb = KnowledgeBase.__new__(KnowledgeBase)
    kb.__dict__.update(two_documents.__dict__, params=replace(two_documents.params, alternatives=True))
    query = kb.query(question)[0]
    number = {policy.id: i for i, policy in enumerate(kb.policies)}
    counted = kb._document_scores(query, question)
    plain = KnowledgeBase.__new__(KnowledgeBase)
    plain.__dict__.update(kb.__dict__, params=replace(kb.params, alternatives=False))
    summed = plain._document_scores(query, question)
    faq, rule = number["faq-residence"], number["rule-funeral"]
    assert counted[rule] / counted[faq] > summed[rule] / summed[faq]
    # the FAQ's edge came from saying 老人 and 老年人 (and 家里, 家里人): now each counts once
    assert counted[faq] == 1.0 and summed[rule] < counted[rule] < 1.0


LEAVE = """\
id: rule-leave
title: 职工年休假办法
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 职工年休假由单位统筹安排，年休假一般不跨年度安排，年休假期间享受与正常工作期间相同的工资收入。
- id: '2'
  label: 第二条
  text: 单位确因工作需要不能安排职工年休假的，年休假工资按日工资收入的300%支付，年休假天数另行折算。
- id: '3'
  label: 第三条
  text: 职工新进用人单位的，当年度年休假天数按照剩余日历天数折算。
"""


def test_the_passage_holding_the_words_that_set_it_apart_rises_within_its_document(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = knowledge_folder(tmp_path / "knowledge", {"rule-leave": LEAVE, "rule-funeral": FUNERAL})
    kb = KnowledgeBase.load(root, cache_dir=cache_dir)
    assert kb.params.contrast_weight > 0
    question = "新进单位的职工年休假天数怎么算"
    passages = np.array(
        [
            i
            for i in range(len(kb.passages))
            if kb.passages[i].kind == "clause" and kb.passages[i].policy.id == "rule-leave"
        ]
    )
    shares = kb._contrast_shares(question, passages)
    texts = [kb.passages[i].text for i in passages.tolist()]
    newcomer = next(k for k, text in enumerate(texts) if "新进" in text)
    assert shares[newcomer] == max(shares) and shares[newcomer] > 0
    # 年休假 and 职工, which every passage holds, weigh nothing: shares are of the rest
    everywhere = kb._contrast_shares("年休假职工", passages)
    assert not everywhere.any()
    # the document's best passage keeps its score: passages are reordered, not documents
    query = kb.query(question)[0]
    matched, scores = kb._weighed(query, None, None, question)
    plain = KnowledgeBase.__new__(KnowledgeBase)
    plain.__dict__.update(kb.__dict__, params=replace(kb.params, contrast_weight=0.0))
    before_m, before = plain._rerank(matched, scores, question, [])
    after_m, after = kb._rerank(matched, scores, question, [])
    assert np.array_equal(before_m, after_m)
    owners = kb._policy_number[after_m]
    for owner in np.unique(owners).tolist():
        assert after[owners == owner].max() == pytest.approx(before[owners == owner].max())
