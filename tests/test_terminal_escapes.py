"""The command line never prints a control sequence it read from a file or a file's name:
refused files, tag-set errors, the brief on standard output, a dossier rebuilt from JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hostile_dossier import CLIPBOARD, PAYLOAD, TITLE, build, holds_control

from dossier.cli import main
from dossier.store import Store

EVIL_NAME = "evil\x1b]0;PWNED\x07\x1b]52;c;SGFja2Vk\x07\x9d0;x\x9c"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_inert(*texts: str) -> None:
    for text in texts:
        assert not holds_control(text), holds_control(text)


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.db"
    build(path)
    return path


def test_a_refused_file_named_with_escapes(tmp_path):
    path = tmp_path / f"{EVIL_NAME}.db"
    path.write_text("not a database")
    result = run("open", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("dossier: ") and "evil␛]0;PWNED␇" in result.stderr
    assert_inert(result.stderr.rstrip("\n"), result.stdout)
    assert result.stderr.count("\n") == 1  # one line, whatever the name holds


def test_clicks_own_errors_name_the_file_inertly(tmp_path):
    folder = tmp_path / EVIL_NAME
    folder.mkdir()
    result = run("open", str(folder))  # a folder: click itself refuses it
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert_inert(result.stderr.replace("\n", ""))


def test_ingest_refused_line_is_inert(tmp_path):
    empty = tmp_path / f"{EVIL_NAME}.txt"
    empty.write_text("")
    result = run("ingest", str(tmp_path / "new.db"), str(empty))
    assert result.exit_code == 1
    assert "refused " in result.stderr and "evil␛]0;PWNED␇" in result.stderr
    assert_inert(result.stderr.replace("\n", ""), result.stdout.replace("\n", ""))


def test_tagsets_check_with_escapes_in_names_and_values(tmp_path):
    path = tmp_path / f"{EVIL_NAME}.yaml"
    path.write_text(
        'tagsets:\n'
        '  - name: "set\\e]0;PWNED\\a"\n'
        '    applies_to: ["article\\e]52;c;SGFja2Vk\\a"]\n'
        '    colour\\e]0;x\\a: 1\n'
        '    tags:\n'
        '      - {name: "a\\e]0;PWNED\\a", key: "\\e", color: "red\\x9d0;x\\x9c"}\n'
        '      - {name: "a\\e]0;PWNED\\a", key: "1"}\n'
        'relations:\n'
        '  - {name: "r\\e]0;PWNED\\a", from: [article], to: ["nowhere\\e]2;x\\e\\\\"]}\n')
    result = run("tagsets", "check", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) >= 3 and all(line.startswith(str(tmp_path)) for line in lines)
    assert "␛]0;PWNED␇" in result.stderr
    assert_inert(*lines, result.stdout.replace("\n", ""))


def test_open_refuses_a_dossiers_bad_tagsets_inertly(hostile):
    """Tag sets the file remembers, with a hotkey that clashes, named with escapes."""
    store = Store.open(hostile)
    store.set_meta("tagsets", f'tagsets:\n  - name: "x{PAYLOAD}"\n    applies_to: [article]\n'
                   '    tags: [{name: "y", key: "1"}]\n'.replace("\x1b", "\\e")
                   .replace("\x07", "\\a").replace("\x9d", "\\x9d").replace("\x9c", "\\x9c"))
    store.close()
    result = run("open", str(hostile))
    assert result.exit_code == 2 and "hotkey" in result.stderr
    assert_inert(result.stderr.replace("\n", ""))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_brief_on_standard_output_is_inert(hostile, fmt):
    result = run("export", str(hostile), "-f", fmt, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "Broker met officials" in result.stdout
    # The payload is shown as text: control characters as visible placeholders (the brief's
    # ␛ ␇, or the HTML report's U+FFFD, which it uses for every character XML forbids).
    assert f"52;c;{CLIPBOARD}" in result.stdout and f"0;{TITLE}" in result.stdout
    assert_inert(result.stdout.replace("\n", ""), result.stderr)


@pytest.mark.parametrize("fmt", ["json", "ftm", "timelinejs"])
def test_json_on_standard_output_holds_no_raw_control_character(hostile, fmt):
    """JSON escapes C0 itself; C1 (U+009D is OSC to a terminal) goes out as \\u009d too."""
    result = run("export", str(hostile), "-f", fmt, "-o", "-")
    assert result.exit_code == 0, result.stderr
    if fmt != "timelinejs":  # lossless formats keep the string; TimelineJS shows U+FFFD
        assert "\\u009d" in result.stdout
    assert_inert(result.stdout.replace("\n", ""))


def test_the_brief_escapes_dates_and_kinds_for_markdown(hostile):
    import sqlite3

    conn = sqlite3.connect(hostile)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE events SET date_start = '[x](http://evil)', precision = '*p*'")
    conn.execute("UPDATE entities SET kind = '<b>k</b>'")
    conn.execute("UPDATE articles SET published = '`2023`'")
    conn.commit()
    conn.close()
    out = run("export", str(hostile), "-f", "md", "-o", "-").stdout
    assert "\\[x\\]\\(http://evil\\)" in out and "\\*p\\*" in out
    assert "\\<b\\>k\\</b\\>" in out and "\\`2023\\`" in out
    assert "[x](" not in out and "<b>" not in out


def test_an_export_the_schema_refuses_is_one_inert_line(hostile, tmp_path):
    """Kinds and precisions written past the CHECKs are refused on import, not tracebacked."""
    exported = tmp_path / "export.json"
    assert run("export", str(hostile), "-f", "json", "-o", str(exported)).exit_code == 0
    result = run("ingest", str(tmp_path / "new.db"), str(exported))
    assert result.exit_code == 2 and "CHECK constraint failed" in result.stderr
    assert result.stderr.count("\n") == 1
    assert_inert(result.stderr.rstrip("\n"))


def test_a_dossier_rebuilt_from_its_json_export_stays_inert(tmp_path):
    hostile = tmp_path / "hostile.db"
    build(hostile, bypass_checks=False)
    exported = tmp_path / "export.json"
    rebuilt = tmp_path / "new.db"
    result = run("export", str(hostile), "-f", "json", "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["articles"][0]["title"].startswith(PAYLOAD)  # lossless: kept as written
    result = run("ingest", str(rebuilt), str(exported))
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout.replace("\n", ""), result.stderr)
    check = run("check", str(rebuilt))
    assert_inert(check.stdout.replace("\n", ""), check.stderr.replace("\n", ""))
    brief = run("export", str(rebuilt), "-f", "md", "-o", "-")
    assert f"52;c;{CLIPBOARD}␇" in brief.stdout
    assert_inert(brief.stdout.replace("\n", ""))


def test_extract_writes_json_lines_with_no_raw_control_character():
    line = json.dumps({"id": f"a{PAYLOAD}", "text": "Ashot Mkrtychev met officials last "
                       "week.", "published": "2023-04-03"})
    result = CliRunner().invoke(main, ["extract", "--extractor", "rules"], input=line + "\n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == f"a{PAYLOAD}" and "\\u009d" in result.stdout
    assert_inert(result.stdout.replace("\n", ""))
