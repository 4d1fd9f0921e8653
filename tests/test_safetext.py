"""The one function that makes untrusted text safe to show."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dossier.safetext import is_safe, json_text, safe_line, safe_text, strip_unsafe

HOSTILE = {
    "osc52": "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "osc8": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "csi_clear": "\x1b[2J\x1b[H",
    "title": "\x1b]0;owned\x07",
    "c1_csi": "\x9b2J",
    "del": "a\x7fb",
    "bidi": "abc\u202edcba\u2066x\u2069",
    "nul": "a\x00b",
}


def test_control_sequences_become_visible_placeholders():
    for name, text in HOSTILE.items():
        shown = safe_text(text)
        assert is_safe(shown), name
        assert "\x1b" not in shown and "\x9b" not in shown and "\x07" not in shown
    assert safe_text(HOSTILE["csi_clear"]) == "␛[2J␛[H"
    assert safe_text("a\x00b") == "a␀b"


def test_text_and_markup_are_kept_as_written():
    text = "[@click=app.quit]Click[/] [link=file:///etc/passwd]x[/link] [bold\nline\ttab"
    assert safe_text(text) == text
    assert safe_line(text) == text.replace("\n", " ").replace("\t", " ")


@given(st.text())
def test_anything_comes_out_safe(text):
    shown = safe_text(text)
    assert is_safe(shown)
    assert len(shown) == len(text)  # one placeholder per character: spans still line up
    assert "\n" not in safe_line(text)


@given(st.text())
def test_the_last_door_leaves_nothing_unsafe_and_keeps_the_rest(text):
    dropped = strip_unsafe(text)
    assert is_safe(dropped)
    assert dropped == "".join(c for c in text if is_safe(c))


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_text_is_the_same_json_with_no_raw_control_character(value):
    import json

    text = json_text(value)
    assert json.loads(text) == value
    assert not any(0x7F <= ord(c) <= 0x9F or ord(c) < 0x20 or c in "\u2028\u2029" for c in text)
