from __future__ import annotations

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from townhall.places.models import Postcode
from townhall.places.postcodes import PostcodeNotFound, postcode_find, postcode_normalise

pytestmark = pytest.mark.django_db

# An extract in the layout of a recent ONSPD release, and one of an older one.
RECENT = """\
pcd,pcd2,pcds,dointr,doterm,cty25cd,lad25cd,wd25cd,parncp25cd,lat,long
OX1 1BX,OX1  1BX,OX1 1BX,198001,,E10000025,E07000178,E05013071,E43000206,51.751693,-1.257307
OX1 1ZZ,OX1  1ZZ,OX1 1ZZ,198001,201503,E10000025,E07000178,E05013071,E43000206,51.75,-1.25
OX1 9XX,OX1  9XX,OX1 9XX,198001,,E99999999,E07000178,,,99.999999,0.000000
B1  1AA,B1   1AA,B1 1AA,198001,,E99999999,E08000025,E05011151,E43000250,52.4796,-1.9026
"""
OLDER = """\
pcd,pcds,doterm,oscty,oslaua,osward,parish,lat,long
OX1 1BX,OX1 1BX,,E10000025,E07000178,E05000001,,51.751693,-1.257307
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "onspd.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_postcodes", str(path), *args, stdout=out)
    return out.getvalue()


def test_import_recent_layout(tmp_path: Path) -> None:
    out = run(write(tmp_path, RECENT))
    assert "3 added, 0 changed (1 terminated), 1 skipped without a location." in out
    town_hall = Postcode.objects.get(postcode="OX1 1BX")
    assert (town_hall.lat, town_hall.lon, town_hall.terminated) == (51.751693, -1.257307, False)
    assert (town_hall.county_code, town_hall.district_code, town_hall.ward_code) == (
        "E10000025",
        "E07000178",
        "E05013071",
    )
    assert town_hall.parish_code == "E43000206"
    birmingham = Postcode.objects.get(postcode="B1 1AA")
    assert birmingham.county_code == ""  # E99999999: in no county
    gone = Postcode.objects.get(postcode="OX1 1ZZ")
    assert gone.terminated_on == datetime.date(2015, 3, 1)
    assert not Postcode.objects.filter(postcode="OX1 9XX").exists()


def test_import_older_layout_then_again_unchanged_then_changed(tmp_path: Path) -> None:
    run(write(tmp_path, RECENT))
    out = run(write(tmp_path, OLDER))
    assert "0 added, 1 changed" in out
    assert Postcode.objects.get(postcode="OX1 1BX").ward_code == "E05000001"
    assert "0 added, 0 changed" in run(write(tmp_path, OLDER))


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = run(write(tmp_path, RECENT), "--dry-run")
    assert "Dry run, nothing was written: 3 added" in out
    assert not Postcode.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pcd,lat\nOX1 1BX,51\n", "The file has no pcds, long column"),
        ("pcds,lat,long\nOX1 1BX,51.7,-1.2\nNOT A CODE,51,-1\n", "Line 3: NOT A CODE is not"),
        ("pcds,lat,long\nOX1 1BX,north,-1.2\n", "Line 2 (OX1 1BX): the latitude, longitude"),
        ("pcds,lat,long,doterm\nOX1 1BX,51.7,-1.2,2015\n", "Line 2 (OX1 1BX): the latitude"),
        ("pcds,lat,long\nOX1 1BX,51.7,-181\n", "(OX1 1BX): the latitude or longitude is out"),
    ],
)
def test_bad_files_store_nothing(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CommandError) as raised:
        run(write(tmp_path, text))
    assert message in str(raised.value)
    assert str(raised.value).endswith("Nothing was imported.")
    assert not Postcode.objects.exists()


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("pcds,lat,long\nOX1 1BX,51.7,-1.2\n\xff".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(path)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("OX1 1BX", "OX1 1BX"),
        ("ox11bx", "OX1 1BX"),
        ("  sw1a   2aa ", "SW1A 2AA"),
        ("B11AA", "B1 1AA"),
        ("M60 1NW", "M60 1NW"),
        ("OX1", None),
        ("OX1 1B", None),
        ("1OX 1BX", None),
        ("OX1 1BXX", None),
        ("", None),
    ],
)
def test_postcode_normalise(text: str, normal: str | None) -> None:
    assert postcode_normalise(text) == normal


def test_postcode_find(tmp_path: Path) -> None:
    run(write(tmp_path, RECENT))
    assert postcode_find("ox1 1bx").district_code == "E07000178"
    with pytest.raises(PostcodeNotFound, match=re.escape("Enter a real postcode, like SW1A 2AA.")):
        postcode_find("not a postcode")
    with pytest.raises(PostcodeNotFound, match=re.escape("We cannot find the postcode OX1 2AB.")):
        postcode_find("ox12ab")
    with pytest.raises(PostcodeNotFound, match=re.escape("OX1 1ZZ is no longer in use.")):
        postcode_find("OX1 1ZZ")
    # A postcode with no location was never stored, so it is unknown.
    with pytest.raises(PostcodeNotFound, match=re.escape("We cannot find the postcode OX1 9XX.")):
        postcode_find("OX1 9XX")
