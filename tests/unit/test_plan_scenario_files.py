"""Scenario files: template, overrides, and bad files rejected with one clear line (exit code 2)."""

import pytest
import yaml

from computegrid.cli.app import main
from computegrid.errors import InputError
from computegrid.services.plan.inputs import prepare
from computegrid.services.plan.scenario import apply_overrides, default_scenario_text, load_scenario


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.fixture
def template(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    code, out, _ = run(capsys, "scenario", "init", str(path))
    assert code == 0 and path.is_file()
    return path


def edited(path, edit):
    raw = yaml.safe_load(path.read_text())
    edit(raw)
    path.write_text(yaml.safe_dump(raw))
    return path


def test_template_is_the_documented_default_and_valid(template, capsys):
    assert template.read_text() == default_scenario_text()
    assert "source" in template.read_text() or "assumption" in template.read_text()
    code, out, _ = run(capsys, "scenario", "check", str(template))
    assert code == 0 and out.startswith("ok: china-2030")


def test_init_refuses_to_overwrite(template, capsys):
    code, _, err = run(capsys, "scenario", "init", str(template))
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


def test_set_overrides_values():
    config = load_scenario(None, ["costs.carbon_price_cny_per_t=250", "ai.classes.online.rtt_max_ms=30"])
    assert config.costs.carbon_price_cny_per_t == 250.0
    assert config.ai.classes["online"].rtt_max_ms == 30.0
    assert apply_overrides({"a": {"b": 1}}, ["a.b=[1, 2]"]) == {"a": {"b": [1, 2]}}


@pytest.mark.parametrize("edit, field", [
    (lambda r: r["sites"].update(include=["zhongwei", "atlantis"]), "sites.include"),
    (lambda r: r["sites"].update(overrides={"atlantis": {"pue": 1.1}}), "sites.overrides.atlantis"),
    (lambda r: r["ai"]["classes"]["online"].update(rtt_max_ms=5.0), "classes.online.rtt_max_ms"),
    (lambda r: r["ai"].update(facility_energy_twh_per_year=-10.0), "ai.facility_energy_twh_per_year"),
    (lambda r: r["ai"].update(origin_weights={"BJ": 1.0, "SH": -2.0}), "ai.origin_weights.SH"),
    (lambda r: r["ai"].update(origin_weights={"BJ": 1.0, "XX": 1.0}), "ai.origin_weights.XX"),
    (lambda r: r["ai"].update(colour="green"), "ai.colour"),
    (lambda r: r.update(costs={"carbon_price": 10}), "costs.carbon_price"),
    (lambda r: r["ai"]["classes"]["batch"].update(share_frac=0.5), "share_frac"),
])
def test_bad_scenario_files_are_rejected_with_one_line(template, capsys, edit, field):
    bad = edited(template, edit)
    with pytest.raises(InputError) as exc:
        prepare(load_scenario(str(bad)))
    assert field in str(exc.value)
    code, out, err = run(capsys, "plan", "--scenario", str(bad), "--runs-dir", str(template.parent / "runs"))
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and field in err
    assert "Traceback" not in err
    assert not (template.parent / "runs").exists() or not any((template.parent / "runs").iterdir())


def test_unknown_key_message_names_the_key(template):
    bad = edited(template, lambda r: r.update(colour="green"))
    with pytest.raises(InputError) as exc:
        load_scenario(str(bad))
    assert "colour" in str(exc.value) and "unknown key" in str(exc.value)


def test_missing_file_and_bad_set(capsys, tmp_path):
    code, _, err = run(capsys, "plan", "--scenario", str(tmp_path / "nope.yaml"))
    assert code == 2 and "--scenario" in err
    code, _, err = run(capsys, "plan", "--set", "novalue")
    assert code == 2 and "--set" in err
