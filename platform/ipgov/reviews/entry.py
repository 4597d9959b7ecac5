"""The old path of ``ipgov.work.entry``, kept for deployed manifests that name it
(``python -m dramatiq ipgov.reviews.entry``)."""

from ipgov.work.entry import broker, runtime

__all__ = ["broker", "runtime"]
