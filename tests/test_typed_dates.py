"""Dates typed as people write them: each form read, each mistake explained."""

from __future__ import annotations

import pytest

from dossier.typed_dates import TypedDateError, parse_typed_date


@pytest.mark.parametrize("typed,expected", [
    ("26 Feb 1987", ("1987-02-26", "day")),
    ("26 February 1987", ("1987-02-26", "day")),
    ("26th of February 1987", ("1987-02-26", "day")),
    ("Feb 26, 1987", ("1987-02-26", "day")),
    ("Feb. 26, 1987", ("1987-02-26", "day")),
    ("February 26th 1987", ("1987-02-26", "day")),
    ("  february   26th, 1987 ", ("1987-02-26", "day")),
    ("1987-02-26", ("1987-02-26", "day")),
    ("1987/02/26", ("1987-02-26", "day")),
    ("26/02/1987", ("1987-02-26", "day")),   # day first: 26 cannot be a month
    ("02/26/1987", ("1987-02-26", "day")),   # month first: likewise
    ("26.02.1987", ("1987-02-26", "day")),
    ("03/03/1987", ("1987-03-03", "day")),   # both the same: order does not matter
    ("1987-02", ("1987-02", "month")),
    ("1987-2", ("1987-02", "month")),
    ("Feb 1987", ("1987-02", "month")),
    ("February 1987", ("1987-02", "month")),
    ("Sept 1987", ("1987-09", "month")),
    ("1987", ("1987", "year")),
])
def test_forms_people_type(typed, expected):
    assert parse_typed_date(typed) == expected


@pytest.mark.parametrize("typed,says", [
    ("04/03/1987", "ambiguous: 4 Mar 1987 (day first) or 3 Apr 1987 (month first)"),
    ("04/03/1987", "1987-03-04"),
    ("31 Feb 1987", "not a date"),
    ("1987-02-30", "February 1987 has 28 days"),
    ("1988-02-30", "February 1988 has 29 days"),
    ("1987-13", "no month 13"),
    ("1987-13-01", "no month 13"),
    ("31/31/1987", "neither 31 nor 31 is a month"),
    ("30/02/1987", "February 1987 has 28 days"),
    ("yesterday", "not a date: yesterday (try 26 Feb 1987"),
    ("", "no date typed"),
    ("   ", "no date typed"),
    ("1" * 100, "at most 60 characters"),
    ("\x1b[31m1987", "not a date"),
])
def test_mistakes_are_explained(typed, says):
    with pytest.raises(TypedDateError) as info:
        parse_typed_date(typed)
    assert says in str(info.value)
    assert isinstance(info.value, ValueError)
