"""Every knowledge file is read against its schema; a typo names its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.calendar import DeadlinePolicy
from bot.config import PROJECT_ROOT
from bot.knowledge_files import (
    DeadlinesFile,
    DepartmentsFile,
    GazetteerFile,
    KnowledgeFileError,
    RoutingCasesFile,
    RoutingFile,
    load,
)
from bot.tickets.catalogue import Catalogue
from bot.tickets.classify import Rules

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.mark.parametrize(
    "name, schema",
    [
        ("routing.yml", RoutingFile),
        ("departments.yml", DepartmentsFile),
        ("gazetteer.yml", GazetteerFile),
        ("deadlines.yml", DeadlinesFile),
        ("routing_training.yml", RoutingCasesFile),
        ("eval/routing.yml", RoutingCasesFile),
    ],
)
def test_the_shipped_files_pass_their_schemas(name, schema):
    load(KNOWLEDGE / name, schema)


def with_typo(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    text = (KNOWLEDGE / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / Path(name).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    return path, line


def test_a_misspelt_key_in_routing_is_named_with_its_line(tmp_path):
    path, line = with_typo(tmp_path, "routing.yml", "    phrases: [", "    phrase: [")
    catalogue = Catalogue.load(KNOWLEDGE / "departments.yml")
    with pytest.raises(KnowledgeFileError) as raised:
        Rules.load(path, catalogue)
    messages = [str(p) for p in raised.value.problems]
    assert f"{path}:{line}: emergencies[0] -> phrase: extra fields not permitted" in messages
    assert any(m.endswith("emergencies[0] -> phrases: field required") for m in messages)


def test_a_weight_that_is_not_a_number_is_named(tmp_path):
    path, line = with_typo(tmp_path, "routing.yml", "洗车: 2.5", "洗车: 两点五")
    with pytest.raises(KnowledgeFileError) as raised:
        load(path, RoutingFile)
    assert str(raised.value) == (
        f"{path}:{line}: categories -> city_management -> 洗车: value is not a valid float"
    )


def test_a_deadline_file_without_a_type_table_is_refused_with_its_line(tmp_path):
    path, line = with_typo(
        tmp_path, "deadlines.yml", "finish_within_working_days:", "finish_within_workdays:"
    )
    with pytest.raises(KnowledgeFileError) as raised:
        DeadlinePolicy.load(path)
    assert f"{path}:{line}: finish_within_workdays: extra fields not permitted" in str(
        raised.value
    )


def test_yaml_syntax_errors_name_the_line(tmp_path):
    path = tmp_path / "gazetteer.yml"
    path.write_text("jurisdictions:\n  - id: city\n    name: [舟山市\n", encoding="utf-8")
    with pytest.raises(KnowledgeFileError, match=rf"{path}:\d+: YAML syntax"):
        load(path, GazetteerFile)


def test_drafts_and_retrieval_settings_have_schemas_too(tmp_path):
    from bot.consultation.drafts import draft_form_from_yaml
    from bot.consultation.forms import ConsultationError
    from bot.policy.analysis import DataFileError
    from bot.policy.params import RetrievalParams

    draft, line = with_typo(tmp_path, "drafts/zs-parking-2026-sample.yml", "closes_on:", "close_on:")
    with pytest.raises(ConsultationError, match=rf"{draft}:{line}: close_on: extra fields"):
        draft_form_from_yaml(draft)
    settings, line = with_typo(tmp_path, "policy_retrieval.yml", "k1:", "k_1:")
    with pytest.raises(DataFileError, match=rf"{settings}:{line}: k_1: extra fields"):
        RetrievalParams.load(settings)
