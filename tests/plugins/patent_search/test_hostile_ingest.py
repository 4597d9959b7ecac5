"""Hostile inputs to ``ipgov patents ingest``, each run as the real CLI in a subprocess under an
address-space limit (``resource.setrlimit(RLIMIT_AS)``).

Every case is generated here at test time (nothing large is committed; the 1 GiB document is a
sparse file). Each asserts the precise error the CLI prints, its exit status (3: some documents
refused, 4: nothing loaded), that nothing half-loaded is left behind, and that it ends (the
subprocess timeout is a safety net, not a timed assertion).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MiB = 1 << 20
# The CLI starts in ~250 MiB of address space and the embedded search index's writer reserves
# more once documents are stored; every bound (a 128 MiB line, a document) fits in 1 GiB.
MEMORY = 1 << 30
EXIT_PARTIAL, EXIT_NOTHING = 3, 4
LENS_ROW = {
    "lensId": "1",
    "jurisdiction": "US",
    "displayKey": "US 7654321 B2",
    "title": "A good document",
}


def _env(data_dir: Path, **limits: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    paths = [str(ROOT / "platform"), str(ROOT / "plugins"), str(ROOT)]
    env |= {"IPGOV_DATA_DIR": str(data_dir), "PYTHONPATH": os.pathsep.join(paths)}
    # glibc reserves 64 MiB of address space per thread's malloc arena: under RLIMIT_AS that
    # reservation, not memory used, refused a thread of the semantic encoder ("can't start
    # new thread") depending on how many threads had run; two arenas bound what is measured
    env["MALLOC_ARENA_MAX"] = "2"
    env |= {f"IPGOV_PATENT_{name.upper()}": str(value) for name, value in limits.items()}
    return env


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _cli(data_dir: Path, *args: str | Path, **limits: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "ipgov.cli.main", *map(str, args)],
        env=_env(data_dir, **limits),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_limit_memory,
        check=False,
    )


def _dry(tmp_path: Path, source: Path, **limits: int) -> subprocess.CompletedProcess[str]:
    # a fresh data directory: a dry run needs no database and creates none
    result = _cli(tmp_path / "fresh", "patents", "ingest", source, "--dry-run", **limits)
    assert "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "fresh" / "ipgov.db").exists()
    return result


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite data directory with one tenant ``acme``."""
    data = tmp_path_factory.mktemp("hostile-data")
    for args in (("migrate",), ("tenant", "create-group", "acme", "--name", "Acme")):
        done = _cli(data, *args)
        assert done.returncode == 0, done.stderr
    return data


def _load(
    store: Path, source: Path, collection: str, **limits: int
) -> tuple[subprocess.CompletedProcess[str], list[str] | None]:
    """Ingest into ``collection``; the result and the stored publication numbers (None when
    the collection does not exist)."""
    result = _cli(
        store, "patents", "ingest", source, "--tenant", "acme", "--collection", collection, **limits
    )
    assert "Traceback" not in result.stderr, result.stderr
    with sqlite3.connect(store / "ipgov.db") as db:
        row = db.execute("select id from ps_collections where name = ?", (collection,)).fetchone()
        if row is None:
            return result, None
        numbers = db.execute(
            "select publication_number from ps_documents where collection_id"
            " = ? order by publication_number",
            (row[0],),
        ).fetchall()
    return result, [n for (n,) in numbers]


# ---------------------------------------------------------------- entities

LAUGHS = (
    b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
"""
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"""]>
<ep-patent-document country="EP" doc-number="&lol9;" kind="A1"><SDOBI><B540><B542>&lol9;</B542>
</B540></SDOBI></ep-patent-document>
"""
)


def test_billion_laughs_expand_nothing_and_the_document_is_refused(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_bytes(LAUGHS)
    result = _dry(tmp_path, path)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "error: laughs.xml: document 1" in result.stderr
    assert "lollol" not in result.stderr + result.stdout


def test_external_entities_open_no_file_and_make_no_connection(tmp_path, store):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    path = tmp_path / "xxe.xml"
    path.write_bytes(
        f"""<?xml version="1.0"?>
<!DOCTYPE us-patent-grant [
<!ENTITY xxe SYSTEM "file:///etc/passwd">
<!ENTITY net SYSTEM "http://127.0.0.1:{port}/dtd">
<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/param"> %remote;]>
<us-patent-grant><us-bibliographic-data-grant><publication-reference><document-id>
<country>US</country><doc-number>&xxe;&net;</doc-number><kind>B2</kind></document-id>
</publication-reference></us-bibliographic-data-grant></us-patent-grant>
""".encode()
    )
    result, stored = _load(store, path, "xxe")
    try:
        listener.accept()
        connected = True
    except BlockingIOError:
        connected = False
    finally:
        listener.close()
    assert not connected
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "root:" not in result.stderr + result.stdout
    assert "error: xxe.xml: document 1" in result.stderr
    assert stored is None  # no collection created when nothing loads


# ---------------------------------------------------------------- archives


def _bomb(path: Path, size: int) -> None:
    """A zip whose one member is a patent XML head followed by ``size`` bytes of blanks."""
    line = b" " * 1023 + b"\n"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("ipg-bomb.xml", "w", force_zip64=True) as member,
    ):
        member.write(b'<?xml version="1.0"?>\n<us-patent-grant>\n')
        for _ in range(size // len(line)):
            member.write(line)


def test_zip_bomb_by_expansion_ratio_stops_at_the_ratio(tmp_path, store):
    path = tmp_path / "ratio.zip"
    _bomb(path, 24 * MiB)  # ~1000:1; the ratio is checked past a floor (64 MiB, here 16)
    assert path.stat().st_size < MiB
    result, stored = _load(store, path, "ratio", ratio_floor_bytes=16 * MiB)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "member ipg-bomb.xml expands more than 100:1" in result.stderr
    assert "zip bomb or a corrupt archive; reading stopped" in result.stderr
    assert stored is None


def test_zip_bomb_by_size_stops_at_the_member_cap(tmp_path):
    path = tmp_path / "size.zip"
    _bomb(path, 12 * MiB)
    result = _dry(tmp_path, path, max_member_bytes=8 * MiB, max_expansion_ratio=100_000)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert (
        "size.zip: member ipg-bomb.xml: size: member ipg-bomb.xml expands past 8 MiB"
        in result.stderr
    )


def test_zip_member_paths_are_names_never_places(tmp_path):
    path = tmp_path / "traversal.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../escaped.jsonl", json.dumps(LENS_ROW) + "\n")
        archive.writestr("/etc/cron.d/escaped.jsonl", json.dumps(LENS_ROW) + "\n")
    result = _dry(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert "lens_jsonl" in result.stdout and " 2\n" in result.stdout
    assert not list(tmp_path.parent.rglob("escaped.jsonl"))


# ---------------------------------------------------------------- folders


def test_symbolic_links_out_of_the_folder_are_refused_not_read(tmp_path, store):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "good.jsonl").write_text(json.dumps(LENS_ROW) + "\n")
    folder = tmp_path / "feed"
    (folder / "sub").mkdir(parents=True)
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "sub" / "good.jsonl").symlink_to(outside / "good.jsonl")
    (folder / "up").symlink_to("..")
    (folder / "notes.txt").write_text("not a patent\n")
    result, stored = _load(store, folder, "links")
    assert result.returncode == EXIT_NOTHING, result.stderr
    for name in ("passwd", "sub/good.jsonl"):
        assert (
            f"error: {name}: file: path: a symbolic link to a place outside the import "
            "folders: not read"
        ) in result.stderr
    assert "error: up: file: path: a symbolic link to a place outside" in result.stderr
    assert "skipped: notes.txt: not a patent document of a known format" in result.stderr
    assert str(tmp_path) not in result.stderr  # names relative to the folder, no server path
    assert stored is None


# ---------------------------------------------------------------- sizes


def test_a_document_of_one_gibibyte_without_newlines_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as out:
        out.write(b'<?xml version="1.0"?>\n<us-patent-grant>')
        out.truncate(1 << 30)  # sparse: no disk used, 1 GiB of NULs and no line break
    result = _dry(tmp_path, path)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert (
        "error: huge.xml: file: line: line 2 is longer than 128 MiB (no line break); "
        "reading stopped"
    ) in result.stderr


def test_a_huge_csv_field_after_good_rows_loads_every_good_row_and_names_the_line(tmp_path, store):
    path = tmp_path / "patentsview.csv"
    with path.open("w") as out:
        out.write("patent_abstract,patent_date,patent_number,patent_title\n")
        for i in range(600):
            out.write(f"An abstract,2020-01-0{1 + i % 9},{10_000_000 + i},Title {i}\n")
        out.write('"' + "x" * (3 * MiB) + '",2020-01-01,10999999,Huge\n')
    result, stored = _load(store, path, "csv", max_document_bytes=2 * MiB)
    assert result.returncode == EXIT_PARTIAL, result.stderr
    assert "patentsview.csv: after line 601: line: line 602 is longer than 2 MiB" in result.stderr
    assert "reading stopped" in result.stderr and "stopped: patentsview.csv" in result.stderr
    assert stored is not None and len(stored) == 600  # every good row, not a batch short


def test_a_million_columns_are_refused_by_the_header(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        "patent_number,patent_title," + ",".join(f"c{i}" for i in range(10**6)) + "\n1,2\n"
    )
    result = _dry(tmp_path, path)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "line 1: a header of 1,000,002 columns, over the limit of 1,000" in result.stderr


def test_deep_json_is_one_refused_line_and_the_next_line_loads(tmp_path, store):
    path = tmp_path / "lens.jsonl"
    deep = '{"lensId": "2", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(deep + "\n" + json.dumps(LENS_ROW) + "\n")
    result, stored = _load(store, path, "deep")
    assert result.returncode == EXIT_PARTIAL, result.stderr
    assert "error: lens.jsonl: line 1: json: nested too deeply" in result.stderr
    assert stored == ["US-7654321-B2"]


def test_lens_rows_are_type_checked_field_by_field(tmp_path):
    path = tmp_path / "typed.jsonl"
    rows = [LENS_ROW | {"applicants": "ACME CORP"}, LENS_ROW | {"title": 12345}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = _dry(tmp_path, path)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "line 1: applicants: expected a list, got text" in result.stderr
    assert "line 2: title: expected text, got a number" in result.stderr


def test_forty_thousand_continuation_lines_end_with_a_truncated_abstract(tmp_path):
    path = tmp_path / "aps.txt"
    lines = ["PATN", "WKU  039302341", "TTL  A long one", "ABST", "PAL  Start of the abstract"]
    lines += [f"     continuation {i} " + "w" * 80 for i in range(40_000)]
    path.write_text("\n".join(lines) + "\n")
    result = _dry(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert "warning: aps.txt: line 1: abstract:" in result.stderr
    assert "over the limit of 200,000: truncated" in result.stderr
    assert "uspto_aps_text" in result.stdout


def test_a_long_doctype_does_not_hide_the_document(tmp_path):
    path = tmp_path / "long-doctype.xml"
    subset = b"".join(b'<!ENTITY e%d "%d">\n' % (i, i) for i in range(8000))  # ~150 KiB
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE ep-patent-document [\n'
        + subset
        + b']>\n<ep-patent-document country="EP" doc-number="1" kind="A1">'
        b"</ep-patent-document>\n"
    )
    result = _dry(tmp_path, path)
    # read as the EPO publication it is (and refused for its missing bibliography), not
    # passed over as "not a patent document"
    assert "not a patent document" not in result.stderr
    assert (
        "long-doctype.xml: document 1: publication-reference: missing node SDOBI/B100"
        in result.stderr
    )


# ---------------------------------------------------------------- encodings


def test_wrong_encodings_are_named(tmp_path):
    latin = tmp_path / "latin.xml"
    latin.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<us-patent-grant><x>Caf\xe9'
        b"</x></us-patent-grant>\n"
    )
    lens = tmp_path / "latin.jsonl"
    lens.write_bytes(json.dumps(LENS_ROW).encode().replace(b"A good", b"Caf\xe9") + b"\n")
    result = _dry(tmp_path, latin)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "latin.xml: document 1: xml: not well-formed XML" in result.stderr
    assert "Invalid bytes in character encoding" in result.stderr
    result = _dry(tmp_path, lens)
    assert result.returncode == EXIT_NOTHING, result.stderr
    assert "latin.jsonl: line 1: encoding: invalid UTF-8 at byte offset" in result.stderr
