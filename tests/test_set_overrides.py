"""`--set` on the command line: removing targets, replacing a mapping, and a hint for a comma in {...}."""

from __future__ import annotations

import shutil

import pytest

import lup_opt
from lup_opt.errors import ScenarioError
from tests.conftest import SCENARIOS


def test_a_target_is_removed_with_off(cli):
    loaded = lup_opt.load_scenario(SCENARIOS / "tiny", overrides=["targets.housing=off"])
    assert set(loaded.config.targets) == {"cereal"}
    run = cli(["validate", SCENARIOS / "tiny", "--set", "targets.housing=off"])
    assert run.exit_code == 0, run.output
    assert " 7 rows" in run.output  # one row fewer than the 8 of tiny


def test_a_share_target_is_removed_with_off():
    loaded = lup_opt.load_scenario(SCENARIOS / "default", overrides=["share_targets.urban_green=off"])
    assert loaded.config.share_targets == {}
    assert len(loaded.config.targets) == len(lup_opt.load_scenario(SCENARIOS / "default").config.targets)


def test_removing_a_target_that_is_not_defined_names_it(cli):
    run = cli(["validate", SCENARIOS / "tiny", "--set", "targets.hosing=off"])
    assert run.exit_code == 2
    assert "targets.hosing" in run.output and "did you mean 'housing'" in run.output
    run = cli(["validate", SCENARIOS / "tiny", "--set", "share_targets.urban_green=off"])
    assert run.exit_code == 2 and "share_targets.urban_green" in run.output and "none" in run.output


def test_null_says_how_to_remove_a_target():
    with pytest.raises(ScenarioError, match=r"targets.housing=off"):
        lup_opt.load_scenario(SCENARIOS / "tiny", overrides=["targets.housing=null"])


def test_an_empty_mapping_replaces_the_section():
    """`--set 'share_targets={}'` changed nothing before (an empty mapping merged into the old one)."""
    loaded = lup_opt.load_scenario(SCENARIOS / "default", overrides=["share_targets={}"])
    assert loaded.config.share_targets == {}
    area_wide = lup_opt.load_scenario(SCENARIOS / "tiny", overrides=["targets.housing.scope={}"])
    assert area_wide.config.targets["housing"].scope == {}


def test_off_in_a_variant_and_in_a_mapping_of_overrides(tmp_path):
    folder = shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")
    yaml = folder / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "  no_housing:\n    targets.housing: off\n", encoding="utf-8")
    assert set(lup_opt.load_scenario(folder, variants=["no_housing"]).config.targets) == {"cereal"}
    assert set(lup_opt.load_scenario(folder, overrides={"targets.cereal": "off"}).config.targets) == {"housing"}


@pytest.mark.parametrize("setting, key", [
    ("targets.housing.scope={jurisdiction: town, village}", "village"),
    ("targets.cereal={indicator: cereal_t, sense: '>=', value: 390, description: cereal, for the area}",
     "for the area"),
])
def test_a_comma_inside_braces_gets_a_hint_to_quote(cli, setting, key):
    run = cli(["validate", SCENARIOS / "tiny", "--set", setting])
    assert run.exit_code == 2
    text = " ".join(run.output.split())
    assert "did you mean to quote the value?" in text
    assert f"'{key}' a key without a value" in text
    assert text.count("did you mean to quote") == 1


def test_none_means_no_variants_and_no_overrides():
    scenario = lup_opt.load_scenario(SCENARIOS / "tiny", variants=None, overrides=None)
    assert scenario.variants == () and scenario.overrides == ()
