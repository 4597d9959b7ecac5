"""The module ``ipgov worker`` hands to Dramatiq's CLI: broker and actors from the settings."""

from __future__ import annotations

import dramatiq

from ipgov.settings import get_settings

from .worker import PlatformBootMiddleware, RecoveryMiddleware, WorkerRuntime

runtime = WorkerRuntime(get_settings())
broker = runtime.queue.broker
broker.add_middleware(PlatformBootMiddleware(runtime))
broker.add_middleware(RecoveryMiddleware(runtime))
dramatiq.set_broker(broker)
