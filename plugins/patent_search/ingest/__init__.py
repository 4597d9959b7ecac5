"""Patent document ingestion: every real bulk format into one normalised ``PatentRecord``.

``detect_format`` names a file's format (None for files that are no patent documents),
``iter_file``/``iter_path`` stream records and ``IngestError``\\s, ``ingest_stats``/``summarise``
count them for a dry run.
"""

from .model import IngestError, PatentRecord, canonical_number
from .pipeline import (
    FORMATS,
    IngestStats,
    detect_format,
    ingest_stats,
    iter_file,
    iter_path,
    summarise,
)

__all__ = [
    "FORMATS",
    "IngestError",
    "IngestStats",
    "PatentRecord",
    "canonical_number",
    "detect_format",
    "ingest_stats",
    "iter_file",
    "iter_path",
    "summarise",
]
