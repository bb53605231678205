"""Format v2 input: every new field is validated with an error naming it; v1 stays v1."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bench.validate import DEFAULT_ABOUT_WEIGHT
from tests.matching.matching_instances import small_instance
from worker.matching import InstanceError, parse_instance
from worker.matching.about import ABOUT_WEIGHT

DOCS = Path(__file__).resolve().parents[2] / "docs" / "matching-format.md"


def _with(path: list, value: object) -> dict:
    instance = small_instance(12)
    target = instance
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return instance


BAD = [
    (["slots", 0, "location"], [52.5], "slots[0].location"),
    (["slots", 1, "location"], [95.0, 13.4], "slots[1].location"),
    (["slots", 0, "location"], ["north", 13.4], "slots[0].location[0]"),
    (["members", 2, "languages"], "en", "members[2].languages"),
    (["members", 2, "languages"], ["en", ""], "members[2].languages[1]"),
    (["members", 2, "languages"], ["en", 7], "members[2].languages[1]"),
    (["members", 3, "about"], 42, "members[3].about"),
    (["members", 3, "about"], ["chess"], "members[3].about"),
    (["about_weight"], 1.5, "about_weight"),
    (["about_weight"], -0.1, "about_weight"),
    (["about_weight"], "high", "about_weight"),
    (["interest_weight"], -0.5, "interest_weight"),
    (["interest_weight"], 11, "interest_weight"),
    (["interest_weight"], "much", "interest_weight"),
    (["members", 4, "preferred_size"], 9, "members[4].preferred_size"),
    (["members", 4, "preferred_size"], 2, "members[4].preferred_size"),
    (["members", 4, "preferred_size"], 3.5, "members[4].preferred_size"),
    (["version"], 3, "version"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD)
def test_bad_v2_field_names_the_field(path: list, value: object, field: str) -> None:
    with pytest.raises(InstanceError) as error:
        parse_instance(_with(path, value))
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


def test_good_v2_fields_parse() -> None:
    instance = _with(["slots", 0, "location"], [52.5, 13.4])
    instance["about_weight"] = 0.5
    instance["members"][0].update(languages=["EN", " es", "en"], about="", preferred_size=4)
    parsed = parse_instance(instance)
    assert parsed.v2 and parsed.about_weight == 0.5
    assert parsed.languages is not None and parsed.languages[0] == ["en", "es"]
    assert parsed.preferred_size is not None and parsed.preferred_size[0] == 4


def test_v1_instance_stays_on_the_v1_path() -> None:
    instance = small_instance(12)
    parsed = parse_instance(copy.deepcopy(instance))
    assert not parsed.v2
    assert parsed.languages is None and parsed.topics is None and parsed.about_columns == 0
    assert parsed.features is not None and parsed.features.shape[1] <= 8  # tags only


def test_default_about_weight_is_one_number_everywhere() -> None:
    assert ABOUT_WEIGHT == DEFAULT_ABOUT_WEIGHT
    assert parse_instance(_with(["version"], 2)).about_weight == ABOUT_WEIGHT
    assert f"default **{ABOUT_WEIGHT:g}**" in DOCS.read_text()
