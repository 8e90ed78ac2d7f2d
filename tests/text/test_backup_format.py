"""The backup file's container rules (``archive.text.backup_format``), on plain values."""

import io
import json
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.text import backup_format as fmt
from archive.text.backup_format import BackupFileError, Limits


@pytest.mark.parametrize(
    "name",
    [
        "manifest.json",
        "claims.jsonl",
        "claim_events.jsonl",
        "captures/1.txt",
        "captures/123456789012345678.txt",
    ],
)
def test_the_members_a_backup_has_are_accepted(name):
    assert fmt.name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../etc/passwd", "an unsafe path"),
        ("captures/../manifest.json", "an unsafe path"),
        ("/etc/passwd", "an unsafe path"),
        ("C:/Windows/win.ini", "an unsafe path"),
        ("captures\\1.txt", "an unsafe path"),
        ("./claims.jsonl", "an unsafe path"),
        ("claims.jsonl\n", "control characters"),
        ("captures/01.txt", "not a member a backup has"),
        ("captures/1234567890123456789.txt", "not a member a backup has"),
        ("captures/", "not a member a backup has"),
        ("Claims.JSONL", "not a member a backup has"),
        ("", "without a name"),
    ],
)
def test_other_names_are_refused_with_the_reason(name, problem):
    assert problem in fmt.name_problem(name)


def entries(**members):
    """ZipInfos of a real zip holding ``members`` (name → bytes), deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name.replace("__", "/"), data)
    return zipfile.ZipFile(buffer).infolist()


def test_a_member_inflating_far_more_than_text_does_is_refused_as_a_bomb():
    infos = entries(**{"captures__1.txt": b"\0" * (2 * fmt.MIB)})

    with pytest.raises(BackupFileError, match=r"^captures/1\.txt: would inflate .* to 2,097,152 .*zip bomb"):
        fmt.check_entries(infos, Limits())


def test_declared_sizes_over_the_limits_are_refused_before_anything_is_read():
    infos = entries(**{"tags.jsonl": b"x" * 100, "claims.jsonl": b"y" * 100})

    with pytest.raises(BackupFileError, match=r"^tags\.jsonl: declares 100 bytes, over the limit of 99"):
        fmt.check_entries(infos, Limits(member_bytes=99))
    with pytest.raises(BackupFileError, match=r"^the members declare more than 150 bytes in all"):
        fmt.check_entries(infos, Limits(total_bytes=150))
    assert set(fmt.check_entries(infos, Limits())) == {"tags.jsonl", "claims.jsonl"}


def test_a_stream_is_checked_against_its_size_and_hash():
    data = "خبرگزاری فارس\r\n".encode()
    digest = fmt.Digest()
    digest.update(data)

    assert fmt.verify_stream(io.BytesIO(data), member="m", size=len(data), hash=digest.hash).bytes == len(
        data
    )
    with pytest.raises(BackupFileError, match="^m: SHA-256 does not match the manifest$"):
        fmt.verify_stream(io.BytesIO(data[::-1]), member="m", size=len(data), hash=digest.hash)
    with pytest.raises(
        BackupFileError, match=f"^m: is {len(data) - 1} bytes; the manifest says {len(data)}$"
    ):
        fmt.verify_stream(io.BytesIO(data[:-1]), member="m", size=len(data), hash=digest.hash)
    with pytest.raises(BackupFileError, match="^m: is longer than the 3 bytes the manifest says$"):
        fmt.verify_stream(io.BytesIO(data), member="m", size=3, hash=digest.hash, chunk=4)


def test_lines_are_read_one_at_a_time_and_bounded():
    assert list(fmt.read_lines(io.BytesIO(b'{"a":1}\n{"b":2}\n'), member="t.jsonl", limit=100)) == [
        (1, b'{"a":1}'),
        (2, b'{"b":2}'),
    ]
    for data, fault in [
        (b'{"a":1}\n' + b"x" * 50 + b"\n", r"^t\.jsonl line 2: is longer than 10 bytes"),
        (b'{"a":1}\n\n', r"^t\.jsonl line 2: is empty"),
        (b'{"a":1}\n{"b"', r"^t\.jsonl line 2: does not end with a newline"),
    ]:
        with pytest.raises(BackupFileError, match=fault):
            list(fmt.read_lines(io.BytesIO(data), member="t.jsonl", limit=10))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@given(
    head=st.dictionaries(st.text().filter(lambda key: key != "resources"), json_values, max_size=4),
    resources=st.lists(st.dictionaries(st.text(), json_values, max_size=4), max_size=5),
)
def test_the_manifest_written_in_pieces_is_the_json_of_its_parts(head, resources):
    text = "".join(fmt.manifest_pieces(head, iter(resources)))

    assert json.loads(text) == {**head, "resources": resources}


@given(row=st.dictionaries(st.text(), json_values, max_size=5))
def test_a_row_is_one_line_of_json_whatever_it_holds(row):
    line = fmt.json_line(row)

    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == row
