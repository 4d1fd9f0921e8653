"""FtM links: each relation the FollowTheMoney schema that means it, with FtM's own property
names (checked against the followthemoney library's model), the evidence article as `proof`
and the evidence sentence as `summary`; UnknownLink only where FtM has no such relation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names

from dossier.cli import main
from dossier.export.ftm import LINK_SCHEMAS, link_schema
from dossier.model import Link
from dossier.store import Store
from dossier.tagsets import FTM_SCHEMAS, parse, remember

followthemoney = pytest.importorskip("followthemoney")
model = followthemoney.model

BODY = ("Anna Berg is a member of the Harbour Club. Anna Berg works for Nordbank. "
        "Nordbank owns Fjord Shipping. Anna Berg paid Lars Berg. Lars Berg is the brother of "
        "Anna Berg. Anna Berg sits on the board of Fjord Shipping. Lars Berg met Anna Berg in "
        "Oslo. Lars Berg knows Nordbank.")
NAMES = {"Anna Berg": "person", "Lars Berg": "person", "Harbour Club": "organisation",
         "Nordbank": "organisation", "Fjord Shipping": "organisation", "Oslo": "place"}
# relation, from, to -> the schema FtM gives it, and who is its first party
CASES = [
    ("member of", "Anna Berg", "Harbour Club", "Membership", "member"),
    ("works for", "Anna Berg", "Nordbank", "Employment", "employee"),
    ("owns", "Nordbank", "Fjord Shipping", "Ownership", "owner"),
    ("paid", "Anna Berg", "Lars Berg", "Payment", "payer"),
    ("brother of", "Lars Berg", "Anna Berg", "Family", "person"),
    ("associate", "Lars Berg", "Anna Berg", "Associate", "person"),
    ("director of", "Anna Berg", "Fjord Shipping", "Directorship", "director"),
    ("sits on the board of", "Lars Berg", "Nordbank", "Directorship", "director"),  # ftm: key
    ("employs", "Nordbank", "Lars Berg", "Employment", "employer"),  # the other way round
    ("met in", "Lars Berg", "Oslo", "UnknownLink", "subject"),  # no FtM meaning
    ("works for", "Lars Berg", "Oslo", "UnknownLink", "subject"),  # a place employs nobody
]
TAGSETS = """relations:
  - {name: sits on the board of, from: [entity], to: [entity], ftm: Directorship}
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[list[dict], dict[str, int], int, str]:
    folder = tmp_path_factory.mktemp("ftm")
    store = Store.open(folder / "links.db", create=True)
    article_id, _ = add_article_with_names(store, "Bergs", BODY, NAMES, url="https://x.test/b")
    ids = {name: store.find_entities(name)[0].id for name in NAMES}
    config, errors = parse(TAGSETS)
    assert not errors
    remember(store, config)
    for relation, a, b, _, _ in CASES:
        start = BODY.index(a)
        end = BODY.index(".", start) + 1
        store.add_link("ana", Link("entity", ids[a], relation, "entity", ids[b],
                                   note=f"note on {relation}", evidence_article_id=article_id,
                                   evidence_start=start, evidence_end=end))
    store.close()
    out = folder / "out.ftm.json"
    result = CliRunner().invoke(main, ["export", str(folder / "links.db"), "-f", "ftm", "-o",
                                       str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()], ids, article_id, BODY


def test_every_link_has_the_schema_that_means_it(exported):
    lines, ids, article_id, body = exported
    by_id = {e["id"]: e for e in lines}
    links = [e for e in lines if e["id"].startswith("dossier-link-")]
    assert len(links) == len(CASES)
    for entity, (relation, a, b, schema, first) in zip(links, CASES, strict=True):
        assert entity["schema"] == schema, (relation, entity)
        props = entity["properties"]
        assert props[first] == [f"dossier-entity-{ids[a]}"], (relation, props)
        second = LINK_SCHEMAS[schema][1] if first == LINK_SCHEMAS[schema][0] else \
            LINK_SCHEMAS[schema][0]
        assert props[second] == [f"dossier-entity-{ids[b]}"], (relation, props)
        assert relation in props.get("role", []) + props.get("relationship", []) + \
            props.get("purpose", [])
        assert props["proof"] == [f"dossier-article-{article_id}"]
        assert by_id[props["proof"][0]]["schema"] == "Article"
        start = body.index(a)
        assert props["summary"] == [body[start:body.index(".", start) + 1]]
        assert props["sourceUrl"] == ["https://x.test/b"]
        assert props["description"] == [f"note on {relation}"]


def test_the_output_is_valid_ftm_with_every_reference_of_the_right_schema(exported):
    """Each property exists in its schema and each entity reference points at an entity of
    the range FtM declares (an owned organisation is a Company: Ownership wants an Asset)."""
    lines = exported[0]
    schemas = {e["id"]: model.get(e["schema"]) for e in lines}
    for entity in lines:
        proxy = model.get_proxy(entity, cleaned=False)
        for name, values in entity["properties"].items():
            prop = proxy.schema.properties.get(name)
            assert prop is not None, (entity["schema"], name)
            if prop.range is not None and prop.type.name == "entity":
                for value in values:
                    assert schemas[value].is_a(prop.range), (entity["schema"], name, value)
    assert sum(1 for e in lines if e["schema"] == "Company") == 1  # Fjord Shipping


def test_names_and_ftm_keys_choose_the_schema():
    assert link_schema("Member Of") == ("Membership", False)
    assert link_schema("owned by") == ("Ownership", True)
    assert link_schema("brokered deal with") == ("UnknownLink", False)
    assert link_schema("brokered deal with", "Representation") == ("Representation", False)
    assert set(FTM_SCHEMAS) == set(LINK_SCHEMAS)
    for schema, (first, second, _, _, label) in LINK_SCHEMAS.items():
        spec = model.get(schema)
        assert (spec.edge_source, spec.edge_target) == (first, second)
        assert label in spec.properties


def test_a_relation_naming_an_unknown_ftm_schema_is_a_tagset_error(tmp_path):
    path = tmp_path / "sets.yaml"
    path.write_text("relations:\n  - name: on board of\n    from: [entity]\n    to: [entity]\n"
                    "    ftm: Directorshp\n")
    result = CliRunner().invoke(main, ["tagsets", "check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:5:10: unknown FollowTheMoney schema 'Directorshp' (did you mean " \
        "'Directorship'?)" in result.output
    config, errors = parse("relations:\n  - {name: x, from: [entity], to: [entity], "
                           "ftm: Family}\n")
    assert not errors and config.relations["x"].ftm == "Family"
    assert "ftm: Family" in config.to_yaml()


def test_the_readme_table_names_every_schema():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for schema in FTM_SCHEMAS:
        assert f"`{schema}`" in readme, schema
