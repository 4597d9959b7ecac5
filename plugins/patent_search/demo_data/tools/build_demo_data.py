"""Rebuild the demo data from the shared patent data, so the selection can be checked.

``python -m patent_search.demo_data.tools.build_demo_data <shared/data/patents> <out dir>``:
whole files are copied, single documents are cut verbatim out of multi-document weekly files
and zips, and CSV rows are selected with their values unchanged (see ``../SOURCES.md``).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HARDWARE = re.compile(r"\b(circuit|chip|semiconductor|analog|hardware|VLSI|integrated circuit|"
                      r"synap\w*|transistor|neuromorphic|processor|accelerat\w*|memristor)", re.I)
GROUP, PRIOR_ART = "group_database", "semiconductor_prior_art"


class Builder:
    """Copies and cuts records from ``source`` into ``out``."""

    def __init__(self, source: Path, out: Path) -> None:
        self.source, self.out = source, out

    def copy(self, rel: str, dest: str) -> None:
        """A whole file, unchanged."""
        (self.out / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.source / rel, self.out / dest)

    def cut(self, rel: str, numbers: list[int], dest: str, member: str | None = None) -> None:
        """Documents (1-based) of a file of concatenated ``<?xml`` documents, verbatim."""
        if member:
            with zipfile.ZipFile(self.source / rel) as archive:
                text = archive.read(member).decode("utf-8")
        else:
            text = (self.source / rel).read_text(encoding="utf-8")
        starts = [m.start() for m in re.finditer(r"<\?xml ", text)]
        docs = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
        (self.out / dest).parent.mkdir(parents=True, exist_ok=True)
        with open(self.out / dest, "a", encoding="utf-8") as handle:
            handle.writelines(docs[n - 1] for n in numbers)

    def lines(self, rel: str, spans: list[tuple[int, int]], dest: str) -> None:
        """Line ranges (1-based, end exclusive) of a text file: whole BRS records."""
        text = (self.source / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        (self.out / dest).parent.mkdir(parents=True, exist_ok=True)
        (self.out / dest).write_text("".join(line for a, b in spans for line in text[a - 1:b - 1]),
                                     encoding="utf-8")

    def rows(self, rel: str, dest: str, keep: Callable[[dict], bool], limit: int) -> list[dict]:
        """The first ``limit`` rows that ``keep`` selects (values unchanged, header kept)."""
        lines = (self.source / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        prefix = lines[0] if lines[0].startswith("search URL") else ""
        reader = csv.DictReader(io.StringIO("".join(lines[1:] if prefix else lines),
                                            newline=""))
        chosen = [r for r in reader if keep(r)][:limit]
        out = io.StringIO()
        out.write(prefix)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(chosen)
        (self.out / dest).write_text(out.getvalue(), encoding="utf-8")
        return chosen


def build(b: Builder) -> None:
    """The demo collections: the group's licensed database, Semiconductor's prior art and
    portfolio, and two test fixtures."""
    g = GROUP
    b.copy("us-xml/with-broken-variants/US08927386-20150106.XML", f"{g}/US08927386-20150106.XML")
    b.lines("us-xml/uspto-samples/css_brs/css_brs_sample.txt", [(1, 700), (2542, 4237)],
            f"{g}/css_brs_sample-3-records.txt")
    b.copy("us-xml/uspto-samples/xml2014/US08926509.xml", f"{g}/US08926509.xml")
    b.cut("us-xml/biblio-weekly-zips/ipgb20221025_wk43.zip", [1],
          f"{g}/ipgb20221025-US11617522.xml", member="ipgb20221025.xml")
    b.cut("us-xml/biblio-weekly-zips/ipgb20230404_wk14.zip", [3],
          f"{g}/ipgb20230404-US11617590.xml", member="ipgb20230404.xml")
    b.copy("cn-jp-wipo/st36_wipo_examples/cn_new/"
           "CN102015000481495CN00001152124630AFULZH20221021CN00D.XML", f"{g}/CN115212463A-st36.XML")
    b.copy("us-xml/uspto-samples/xml2014/US08930553.xml", f"{g}/US08930553.xml")
    b.copy("us-xml/uspto-samples/sgml/US06336130.xml", f"{g}/US06336130.xml")
    b.cut("us-xml/weekly-bulk-excerpts/ipgxml/ipg100105.small.xml", [18, 25],
          f"{g}/ipg100105-cloud.xml")
    b.copy("cn-jp-wipo/examples/cn_new2.xml", f"{g}/cn_new2.xml")
    b.copy("cn-jp-wipo/examples/us_example1.xml", f"{g}/us_example1.xml")
    b.copy("epo/publication-server/application/v1-3-A2.xml", f"{g}/EP2007181A2-v1-3.xml")
    b.copy("epo/publication-server/application/v1-5-1-A1-2.xml", f"{g}/EP3889521A1-v1-5-1.xml")
    b.copy("cn-jp-wipo/st36_wipo_examples/jp_old/2021193879.xml", f"{g}/JP2021193879A-st36.xml")
    pv = b.rows("csv/patentsview_query/neural_network_patent_query.csv",
                f"{g}/patentsview-neural-network-hardware.csv",
                lambda r: bool(HARDWARE.search(r["patent_title"]))
                or "salesman" in r["patent_abstract"], 120)
    taken = {r["patent_number"] for r in pv}

    def hardware(row: dict) -> bool:
        return bool(HARDWARE.search(row["title"])) and row["id"].split("-")[1] not in taken

    first = b.rows("csv/google_patents_export/gp-search-neural-networks.csv",
                   f"{g}/gp-neural-network-hardware.csv", hardware, 70)
    seen = {r["id"] for r in first}
    b.rows("csv/google_patents_export/gp-search-deep-neural-networks.csv",
           f"{g}/gp-deep-neural-network-hardware.csv",
           lambda r: hardware(r) and r["id"] not in seen, 40)
    for weekly, number in (("ipg060103", 20), ("ipg050104", 17), ("ipg090106", 16),
                           ("ipg130416", 19), ("ipg120103", 14)):
        b.cut(f"us-xml/weekly-bulk-excerpts/ipgxml/{weekly}.small.xml", [number],
              f"{PRIOR_ART}/{weekly}-doc{number}.xml")
    b.copy("cn-jp-wipo/examples/jp_example1.xml", f"{PRIOR_ART}/jp_example1.xml")
    b.copy("cn-jp-wipo/03-96-vii-example-instances/PatentPublication_Example.xml",
           "semiconductor_portfolio/PatentPublication_Example.xml")
    b.copy("us-xml/v4.7-fulltext/US12207575-20250128.XML", "fixtures/US12207575-20250128.XML")
    b.copy("cn-jp-wipo/examples/cn_old1.xml", "fixtures/cn_old1.xml")


if __name__ == "__main__":
    build(Builder(Path(sys.argv[1]), Path(sys.argv[2])))
