"""Tag sets from YAML: the default loads; every error names its file, line and column."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.cli import main
from dossier.paths import data_files
from dossier.tagsets import (
    APP_KEYS,
    TagSetFileErrors,
    default_config,
    load_tagsets,
    parse,
    remember,
    validate_file,
)

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def test_default_file_is_valid_and_made_for_the_work():
    config = default_config()
    assert {"triage", "role", "confidence", "priority"} <= set(config.sets)
    assert config.sets["triage"].exclusive
    assert {t.name for t in config.sets["role"].tags} >= {"broker", "sanctioned"}
    assert config.tag_for_key("article", "1")[1].name == "relevant"
    assert config.tag_for_key("entity", "1") is None  # triage is for articles only
    assert {r.name for r in config.relations_between("entity", "entity")} >= {
        "brokered deal with", "sanctioned by"}
    # Symmetric relations apply both ways; "involves" goes event -> entity only.
    assert "involves" in {r.name for r in config.relations_between("event", "entity")}
    assert "involves" not in {r.name for r in config.relations_between("entity", "event")}
    assert not (config.keys() & APP_KEYS)


CASES = [
    ("tagsets: [\n  - name: a\n", 2, 3, "YAML syntax"),
    ("tagsets:\n  - name: a\n    aplies_to: [article]\n    tags: [x]\n", 3, 5,
     "unknown key 'aplies_to' in a tag set (did you mean 'applies_to'?)"),
    ("tagsets:\n  - {name: a, tags: [x]}\n  - {name: a, tags: [y]}\n", 3, 12,
     "duplicate tag set name 'a'"),
    ("tagsets:\n  - name: a\n    tags: [x, x]\n", 3, 15, "duplicate tag 'x' in set 'a'"),
    ("tagsets:\n  - name: a\n    applies_to: [article]\n    tags:\n"
     "      - {name: x, key: 'w'}\n  - name: b\n    applies_to: [article, entity]\n"
     "    tags:\n      - {name: y, key: 'w'}\n", 9, 24,
     "hotkey 'w' is used twice for articles (a:x and b:y)"),
    ("tagsets:\n  - name: a\n    tags:\n      - {name: x, key: 'q'}\n", 4, 24,
     "hotkey 'q' is one of the app's own keys"),
    ("relations:\n  - {name: r, from: [entity], to: [planet]}\n", 2, 36,
     "unknown kind 'planet' in 'to' of relation 'r'"),
    ("tagsets:\n  - name: a\n    tags:\n      - {name: x, color: notacolour}\n", 4, 26,
     "'notacolour' is not a colour"),
    ("tagsets:\n  - name: a\n    exclusive: maybe\n    tags: [x]\n", 3, 16,
     "exclusive must be true or false"),
    ("tagsets: !!python/object/apply:os.system ['touch /tmp/pwned-by-yaml']\n", 1, 10,
     "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
]


@pytest.mark.parametrize("text,line,col,message", CASES, ids=[c[3][:30] for c in CASES])
def test_each_error_names_file_line_column(tmp_path, text, line, col, message):
    path = tmp_path / "sets.yaml"
    path.write_text(text)
    errors = validate_file(path)
    assert errors, "expected an error"
    assert str(errors[0]).startswith(f"{path}:{line}:{col}: {message}"), str(errors[0])
    result = CliRunner().invoke(main, ["tagsets", "check", str(path)])
    assert result.exit_code == 2
    assert str(errors[0]) in result.stderr


def test_python_object_tag_runs_nothing(tmp_path):
    import os

    marker = "/tmp/pwned-by-yaml"
    if os.path.exists(marker):
        os.remove(marker)
    path = tmp_path / "evil.yaml"
    path.write_text(CASES[-1][0])
    assert validate_file(path)
    with pytest.raises(TagSetFileErrors):
        load_tagsets([path])
    assert not os.path.exists(marker)


def test_all_errors_of_a_file_are_reported(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("tagsets:\n  - name: a\n    colr: x\n    tags:\n      - {name: x, key: 'q'}\n"
                    "relations:\n  - {name: r, from: [rock], to: [entity]}\n")
    assert [(e.line, e.column) for e in validate_file(path)] == [(3, 5), (5, 24), (7, 22)]


def test_check_ok_and_default_file_via_cli():
    result = CliRunner().invoke(main, ["tagsets", "check",
                                       str(data_files() / "tagsets.yaml")])
    assert result.exit_code == 0 and result.stdout.startswith("ok: 4 sets")


def test_merge_adds_and_replaces(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("tagsets:\n  - name: triage\n    applies_to: [article]\n    exclusive: true\n"
                     "    tags: [{name: keep, key: '1'}, {name: drop, key: '2'}]\n"
                     "  - name: source-quality\n    applies_to: [article]\n"
                     "    tags: [{name: primary, key: '5'}]\n")
    config = load_tagsets([extra])
    assert [t.name for t in config.sets["triage"].tags] == ["keep", "drop"]
    assert "source-quality" in config.sets and "role" in config.sets


def test_dossier_remembers_its_tag_sets(store, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("tagsets:\n  - name: source-quality\n    applies_to: [article]\n"
                     "    tags: [{name: primary, key: '5'}]\n")
    remember(store, load_tagsets([extra]))
    colleague = load_tagsets([], store=store)  # opens the file without the YAML
    assert "source-quality" in colleague.sets


def test_round_trip_through_yaml():
    config = default_config()
    again, errors = parse(config.to_yaml())
    assert errors == [] and again == config


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gives_config_or_positioned_errors(text):
    _config, errors = parse(text, "x.yaml")
    for error in errors:
        assert str(error).startswith("x.yaml:") and error.line >= 1 and error.column >= 1
