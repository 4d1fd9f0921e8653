"""Every YAML file is read through `dossier.safeyaml`: by libyaml's parser when PyYAML has it
(start-up reads the tag sets and the themes), with what the safe loader builds and PyYAML's
own words and positions for a bad file."""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml

from dossier import safeyaml

SHIPPED = [entry for package in ("dossier.data", "dossier.themes")
           for entry in files(package).iterdir() if entry.name.endswith((".yaml", ".yml"))]


@pytest.mark.parametrize("entry", SHIPPED, ids=lambda e: e.name)
def test_a_shipped_file_reads_as_the_safe_loader_reads_it(entry):
    text = entry.read_text(encoding="utf-8")
    assert safeyaml.load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", [
    "name: x\nsets: [a, b\n", "a: b: c\n", "- a\nb: c\n", "a: 'unclosed\n", "a:\n\t- tab\n",
    "x: !!python/object:os.system ls\n", "a: *nowhere\n",
    "a:\t1\n", "a: b\tc\n", "a: \udc80\n",  # a tab PyYAML refuses; a lone surrogate
])
def test_bad_yaml_is_refused_in_pyyamls_words_at_its_line_and_column(text):
    with pytest.raises(yaml.YAMLError) as ours:
        safeyaml.load(text)
    with pytest.raises(yaml.YAMLError) as pyyaml:
        yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - the safe loader
    assert str(ours.value) == str(pyyaml.value)


def test_libyaml_is_used_when_pyyaml_has_it():
    assert (safeyaml._FastLoader is not None) == yaml.__with_libyaml__
