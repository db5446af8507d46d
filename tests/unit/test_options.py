"""The ubd switch grammar (spec §2.1): every example and error text, byte for byte."""

from __future__ import annotations

import pytest

from umlpy.errors import UbdOptionError
from umlpy.ubd import messages as M
from umlpy.ubd.options import UbdSwitches, failure_line, global_option, parse_ubd_switch


def cfg(text: str, **kw):
    c = parse_ubd_switch(text, **kw)
    assert c is not None
    return c


def test_messages_verbatim() -> None:
    assert M.EXPECTED_FLAG == "Expected '=' or flag letter (r, s, c, t or d)"
    assert M.TOO_MANY_FLAGS == "Too many flags specified"
    assert M.MISSING_EQUALS == "Missing '='"
    assert M.D_AND_COW == "Can't specify both 'd' and a cow file"
    assert M.ALREADY_CONFIGURED == "Device is already configured"
    assert M.OUT_OF_RANGE == "Device number out of range"
    assert M.BAD_DEVICE_NUMBER == "Couldn't parse device number"


@pytest.mark.parametrize("text,unit", [("a=x", 0), ("p=x", 15), ("0x1=x", 1), ("010=x", 8),
                                       ("15=x", 15), ("0=x", 0), ("0X0f=x", 15)])
def test_units(text: str, unit: int) -> None:
    assert cfg(text).unit == unit


@pytest.mark.parametrize("text,err", [
    ("q=x", M.OUT_OF_RANGE), ("16=x", M.OUT_OF_RANGE), ("z=x", M.OUT_OF_RANGE),
    ("0x10=x", M.OUT_OF_RANGE),
    ("A=x", M.BAD_DEVICE_NUMBER), ("-1=x", M.BAD_DEVICE_NUMBER), ("", M.BAD_DEVICE_NUMBER),
    ("f", M.EXPECTED_FLAG), ("l:file", M.EXPECTED_FLAG), ("ax=f", M.EXPECTED_FLAG),
    ("08=x", M.EXPECTED_FLAG),
    ("arrrrrrr=x", M.TOO_MANY_FLAGS), ("arrrrrrrr", M.MISSING_EQUALS),
    ("arscdtrs=x", M.TOO_MANY_FLAGS), ("arscdtrsx", M.MISSING_EQUALS),
    ("arscdtrx", M.EXPECTED_FLAG),
])
def test_errors(text: str, err: str) -> None:
    with pytest.raises(UbdOptionError) as ei:
        parse_ubd_switch(text)
    assert str(ei.value) == err


def test_six_flags_accepted() -> None:
    c = cfg("arscdtr=img")
    assert (c.readonly, c.sync, c.no_cow, c.shared, c.no_trim) == (True, True, True, True, True)


def test_flags_and_fields() -> None:
    c = cfg("a=cow,base")
    assert (c.file, c.backing, c.serial, c.readonly, c.sync) == ("cow", "base", None, False, False)
    c = cfg("b=f:b:s:extra")
    assert (c.file, c.backing, c.serial) == ("f", "b", "s")
    c = cfg("k=file,,SER")
    assert (c.file, c.backing, c.serial) == ("file", None, "SER")
    c = cfg("cr=img")
    assert c.readonly and not c.sync
    assert cfg("a=x", sync_default=True).sync
    assert cfg("as=x").sync
    assert cfg("ac=x").shared and cfg("at=x").no_trim and cfg("ad=x").no_cow
    assert cfg("a=cow,base:ser").serial == "ser"


def test_empty_first_field_unconfigured() -> None:
    assert parse_ubd_switch("g=") is None
    assert parse_ubd_switch("h=,x") is None


def test_d_with_cow_echo_cut_at_separator() -> None:
    with pytest.raises(UbdOptionError) as ei:
        parse_ubd_switch("jd=shared.img,back")
    assert failure_line("jd=shared.img,back", ei.value) == (
        'Failed to initialize device with "jd=shared.img" : Can\'t specify both \'d\' and a '
        "cow file")
    with pytest.raises(UbdOptionError) as ei:
        parse_ubd_switch("f")
    assert failure_line("f", ei.value) == (
        'Failed to initialize device with "f" : Expected \'=\' or flag letter (r, s, c, t or d)')


def test_already_configured_first_wins() -> None:
    logs: list[str] = []
    sw = UbdSwitches(log=logs.append)
    assert sw.add("a=one") is not None
    assert sw.add("0=two") is None
    assert sw.configs[0].file == "one"
    assert logs == ['Failed to initialize device with "0=two" : Device is already configured']
    with pytest.raises(UbdOptionError) as ei:
        parse_ubd_switch("a=x", configured={0})
    assert ei.value.err == -16      # -EBUSY for mconsole


def test_global_sync_applies_to_later_devices() -> None:
    logs: list[str] = []
    sw = UbdSwitches(log=logs.append)
    before = sw.add("a=x")
    assert sw.add("=sync") is None
    after = sw.add("b=y")
    assert before is not None and after is not None
    assert not before.sync and after.sync
    sw.add("=3")
    assert logs == ["fake major not supported any more"]
    assert global_option("=sync") == (True, None)
