"""Benchmark of patent ingestion: parse rate and peak memory beside a bare ``lxml`` iterparse.

Two inputs:

- the largest real USPTO weekly file under ``../shared/data/patents/us-xml`` (skipped, with a
  message, when ``shared/`` is absent), read ``--reps`` times;
- generated documents: a USPTO v4.x grant (title, abstract, 20 claims, a description of
  ``--paragraphs`` paragraphs) repeated with distinct numbers into one concatenated weekly-style
  file of ``--mib`` MiB (default 32) in a temporary folder; ``--gib`` makes it 1 GiB.

Each measurement runs in its own child process (``os.wait4`` gives that child's peak RSS):
``ipgov``'s pipeline (``ingest.iter_file``: split, parse, normalise into records, every bound
of ``ingest.limits`` on; storing is not timed) and the baseline, ``lxml.etree.iterparse`` over
the same bytes doing nothing (the XML declarations and DOCTYPE lines are dropped and the whole
wrapped in one root so one iterparse reads every document; each document is cleared once
parsed). The figures are MB/s of input, documents/s, and peak RSS; the ratio is
pipeline / baseline.

Run: ``.venv/bin/python bench/ingest.py [--mib N | --gib] [--reps 3] [--skip-real]``; summary rows
go through ``bench/_common.emit`` (``bench/run`` collects them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Result, emit, progress  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "patents" / "us-xml"
MiB = 1 << 20

_GRANT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v47-2022-02-17.dtd" [ ]>
<us-patent-grant lang="EN" dtd-version="v4.7 2022-02-17" file="US{number}-20240102.XML" \
status="PRODUCTION" id="us-patent-grant" country="US" date-produced="20231218" \
date-publ="20240102">
<us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>{number}</doc-number>\
<kind>B2</kind><date>20240102</date></document-id></publication-reference>
<application-reference appl-type="utility"><document-id><country>US</country>\
<doc-number>17{number}</doc-number><date>20210614</date></document-id></application-reference>
<classifications-cpc><main-cpc><classification-cpc><cpc-version-indicator><date>20130101\
</date></cpc-version-indicator><section>H</section><class>04</class><subclass>L</subclass>\
<main-group>9</main-group><subgroup>32</subgroup></classification-cpc></main-cpc>\
</classifications-cpc>
<invention-title id="d2e61">Method and system number {number} for secure message exchange\
</invention-title>
<us-parties><us-applicants><us-applicant sequence="001" app-type="applicant" \
designation="us-only"><addressbook><orgname>Example Networks Inc.</orgname></addressbook>\
</us-applicant></us-applicants><inventors><inventor sequence="001" designation="us-only">\
<addressbook><last-name>Doe</last-name><first-name>Jane</first-name></addressbook>\
</inventor></inventors></us-parties>
</us-bibliographic-data-grant>
<abstract id="abstract"><p id="p-0001" num="0000">{sentence} {sentence}</p></abstract>
<description id="description">
{paragraphs}
</description>
<claims id="claims">
{claims}
</claims>
</us-patent-grant>
"""
_SENTENCE = (
    "A first node encrypts a message with a session key derived from a shared secret "
    "and sends it over the network to a second node, which verifies its signature."
)


def _document(number: int, paragraphs: int) -> str:
    text = "\n".join(
        f'<p id="p-{i:04d}" num="{i:04d}">{_SENTENCE} {_SENTENCE}</p>'
        for i in range(1, paragraphs + 1)
    )
    claims = "\n".join(
        f'<claim id="CLM-{i:05d}" num="{i:05d}"><claim-text>{i}. The method of '
        f"claim 1, wherein {_SENTENCE}</claim-text></claim>"
        for i in range(1, 21)
    )
    return _GRANT.format(number=number, sentence=_SENTENCE, paragraphs=text, claims=claims)


def generate(path: Path, size: int, paragraphs: int) -> int:
    """Write concatenated grants until ``size`` bytes; the number of documents."""
    count, written = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            doc = _document(10_000_000 + count, paragraphs)
            out.write(doc)
            written += len(doc)
            count += 1
    return count


def largest_weekly() -> Path | None:
    """The largest real weekly file (``ipg*``/``ipa*``/``pg*`` XML, or a zip of one)."""
    if not SHARED.is_dir():
        return None
    files = [
        p
        for p in SHARED.rglob("*")
        if p.is_file()
        and p.name.lower().startswith(("ipg", "ipa", "pg", "pa"))
        and p.suffix.lower() in (".xml", ".zip")
    ]
    return max(files, key=lambda p: p.stat().st_size, default=None)


# ---------------------------------------------------------------- child processes


def _child_pipeline(path: Path) -> dict[str, float]:
    from patent_search.ingest import IngestError, iter_file

    records = errors = 0
    started = time.perf_counter()
    for item in iter_file(path):
        if isinstance(item, IngestError):
            errors += 1
        else:
            records += 1
    return {"seconds": time.perf_counter() - started, "documents": records, "errors": errors}


class _Wrapped:
    """The file's bytes with ``<?xml``/``<!DOCTYPE`` lines dropped, inside one root element."""

    def __init__(self, path: Path) -> None:
        self._lines = path.open("rb")
        self._parts = [b"<bench-root>"]
        self._done = False

    def read(self, size: int = -1) -> bytes:
        out, want = [], size if size > 0 else 1 << 16
        have = 0
        while have < want and not self._done:
            if self._parts:
                part = self._parts.pop()
            else:
                line = self._lines.readline()
                if not line:
                    self._done = True
                    part = b"</bench-root>"
                elif line.startswith((b"<?xml", b"<!DOCTYPE")):
                    continue
                else:
                    part = line
            out.append(part)
            have += len(part)
        return b"".join(out)


def _child_iterparse(path: Path) -> dict[str, float]:
    from lxml import etree

    documents = 0
    started = time.perf_counter()
    for _, element in etree.iterparse(
        _Wrapped(path),
        events=("end",),
        huge_tree=True,  # noqa: S320
        resolve_entities=False,
        no_network=True,
    ):
        parent = element.getparent()
        if parent is not None and parent.getparent() is None:  # a document under the root
            documents += 1
            element.clear()
            del parent[0]
    return {"seconds": time.perf_counter() - started, "documents": documents, "errors": 0}


def measure(kind: str, path: Path) -> dict[str, float]:
    """Run one measurement in a child; its figures and peak RSS (MiB)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT / "plugins"), str(ROOT)]),
    }
    child = subprocess.Popen(  # noqa: S603 - this script
        [sys.executable, __file__, "--child", kind, str(path)], stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{kind} child failed ({child.returncode})")
    figures: dict[str, float] = json.loads(output)
    figures["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return figures


def _best(kind: str, path: Path, reps: int) -> dict[str, float]:
    runs = [measure(kind, path) for _ in range(reps)]
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return best


def bench(label: str, path: Path, reps: int) -> list[Result]:
    size = path.stat().st_size
    progress(f"{label}: {size / MiB:,.1f} MiB, {reps} run(s) each")
    ours = _best("pipeline", path, reps)
    base = _best("iterparse", path, reps)
    mb = size / 1e6
    print(
        f"{label}: {size / MiB:,.1f} MiB, {int(ours['documents'])} documents "
        f"({int(ours['errors'])} errors); iterparse saw {int(base['documents'])}"
    )
    print(
        f"  pipeline  {ours['seconds']:8.2f} s  {mb / ours['seconds']:8.1f} MB/s  "
        f"{ours['documents'] / ours['seconds']:9.1f} docs/s  peak RSS "
        f"{ours['peak_rss_mib']:7.1f} MiB"
    )
    print(
        f"  iterparse {base['seconds']:8.2f} s  {mb / base['seconds']:8.1f} MB/s  "
        f"{base['documents'] / base['seconds']:9.1f} docs/s  peak RSS "
        f"{base['peak_rss_mib']:7.1f} MiB"
    )
    print(
        f"  ratio     time {ours['seconds'] / base['seconds']:.2f}x, peak RSS "
        f"{ours['peak_rss_mib'] / base['peak_rss_mib']:.2f}x"
    )
    return [
        Result(
            "ingest",
            label,
            "parse rate",
            mb / ours["seconds"],
            "MB/s",
            mb / base["seconds"],
            "MB/s lxml iterparse doing nothing",
        ),
        Result(
            "ingest", label, "documents per second", ours["documents"] / ours["seconds"], "docs/s"
        ),
        Result(
            "ingest",
            label,
            "peak RSS",
            ours["peak_rss_mib"],
            "MiB",
            base["peak_rss_mib"],
            "MiB lxml iterparse",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=32, help="size of the generated file")
    parser.add_argument("--gib", action="store_true", help="generate 1 GiB instead")
    parser.add_argument(
        "--paragraphs",
        type=int,
        default=60,
        help="description paragraphs per generated document (~25 KB at 60)",
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        run = _child_pipeline if kind == "pipeline" else _child_iterparse
        print(json.dumps(run(Path(path))))
        return
    rows: list[Result] = []
    real = None if args.skip_real else largest_weekly()
    if real is not None:
        rows += bench(f"real weekly {real.name}", real, args.reps)
    elif not args.skip_real:
        print(f"no real weekly file: {SHARED} is absent; only generated documents are measured")
    size = (1 << 30) if args.gib else args.mib * MiB
    with tempfile.TemporaryDirectory(prefix="ipgov-bench-ingest-") as tmp:
        path = Path(tmp) / "ipg-generated.xml"
        started = time.perf_counter()
        count = generate(path, size, args.paragraphs)
        progress(f"generated {count} documents in {time.perf_counter() - started:.1f} s")
        rows += bench(f"generated {size // MiB} MiB", path, 1 if args.gib else args.reps)
    emit(rows)


if __name__ == "__main__":
    main()
