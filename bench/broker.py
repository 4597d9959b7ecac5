"""Throughput of Dramatiq's Redis broker with no-op actors (issue 28 item 4; goal 2,000 msg/s).

What it measures, on the Redis of ``--redis`` under a fresh namespace (deleted afterwards):

* **send**: messages per second this process enqueues with no worker running, one
  ``actor.send`` at a time (one Lua ``dispatch`` round trip each: what ``ipgov.work`` does)
  and pipelined in batches of ``--batch`` (the same Lua call, ``--batch`` per round trip);
* **drain**: ``--messages`` no-op messages sent (pipelined, so the sender is never the limit)
  to ``--workers`` separate ``python -m dramatiq --processes 1 --threads N`` worker processes
  that are already up, timed from the first send until the queue is empty, for each layout of
  ``--layouts`` (``threads:prefetch``; prefetch 0 is Dramatiq's default, 2 x threads) and for
  an async actor (through the AsyncIO middleware's event loop, as the work actors run) and a
  plain one.

The figure to compare with the goal is the drain rate; the send rates say whether one sender
keeps up. Run: ``python bench/broker.py [--messages 10000] [--workers 2]
[--layouts 2:0,2:100,8:0,8:200] [--redis URL]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dramatiq
from _common import Result, delete_redis_namespace, emit, progress

QUEUE = "ipgov-bench-broker"
BENCH = Path(__file__).resolve().parent


def _broker(url: str, namespace: str) -> dramatiq.Broker:
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import AsyncIO

    broker = RedisBroker(url=url, namespace=namespace, heartbeat_timeout=15_000)
    broker.add_middleware(AsyncIO())
    return broker


async def _noop_async(token: str) -> None:
    """The async baseline actor (like the work actors): does nothing."""


def _noop_sync(token: str) -> None:
    """The plain baseline actor: does nothing."""


def _declare(broker: dramatiq.Broker) -> dict[str, dramatiq.Actor]:
    return {"async": dramatiq.actor(_noop_async, broker=broker, actor_name="bench_async",
                                    queue_name=QUEUE, max_retries=0),
            "sync": dramatiq.actor(_noop_sync, broker=broker, actor_name="bench_sync",
                                   queue_name=QUEUE, max_retries=0)}


if os.environ.get("IPGOV_BENCH_BROKER_WORKER") == "1":  # imported by `python -m dramatiq`
    broker = _broker(os.environ["IPGOV_BENCH_REDIS"], os.environ["IPGOV_BENCH_NAMESPACE"])
    _declare(broker)
    dramatiq.set_broker(broker)


def send_pipelined(broker: dramatiq.Broker, actor: dramatiq.Actor, count: int,
                   batch: int) -> None:
    """Enqueue ``count`` messages, ``batch`` Lua dispatch calls per Redis round trip (what
    ``broker.enqueue`` does per message, minus the round trip)."""
    from dramatiq.common import current_millis

    script = broker.scripts["dispatch"]  # type: ignore[attr-defined]
    for start in range(0, count, batch):
        pipe = broker.client.pipeline(transaction=False)  # type: ignore[attr-defined]
        for _ in range(min(batch, count - start)):
            message = actor.message("bench").copy(options={"redis_message_id": str(uuid.uuid4())})
            broker.emit_before("enqueue", message, None)
            script(keys=[broker.namespace], client=pipe, args=[  # type: ignore[attr-defined]
                "enqueue", current_millis(), QUEUE, broker.broker_id,  # type: ignore[attr-defined]
                broker.heartbeat_timeout, broker.dead_message_ttl, 0,  # type: ignore[attr-defined]
                broker._max_unpack_size(), message.options["redis_message_id"],  # type: ignore[attr-defined]
                message.encode()])
        pipe.execute()


def _rate(count: int, work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def _workers(args: argparse.Namespace, namespace: str, threads: int,
             prefetch: int) -> list[subprocess.Popen]:
    env = {**os.environ, "IPGOV_BENCH_BROKER_WORKER": "1", "IPGOV_BENCH_REDIS": args.redis,
           "IPGOV_BENCH_NAMESPACE": namespace, "PYTHONPATH": str(BENCH)}
    if prefetch:
        env["dramatiq_queue_prefetch"] = str(prefetch)
    return [subprocess.Popen([sys.executable, "-m", "dramatiq", "broker", "--path", str(BENCH),
                              "--processes", "1", "--threads", str(threads), "--queues", QUEUE],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True) for _ in range(args.workers)]


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for(redis_url: str, namespace: str, count: int, timeout: float = 60) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while client.zcard(f"{namespace}:__heartbeats__") < count:
            if time.monotonic() > deadline:
                raise SystemExit("worker processes did not start")
            time.sleep(0.1)
    finally:
        client.close()


def _drain(args: argparse.Namespace, threads: int, prefetch: int) -> dict[str, float]:
    namespace = f"ipgov-bench-{uuid.uuid4().hex[:10]}"
    broker = _broker(args.redis, namespace)
    actors = _declare(broker)
    procs = _workers(args, namespace, threads, prefetch)
    rates = {}
    try:
        _wait_for(args.redis, namespace, args.workers)
        for kind, actor in actors.items():
            send_pipelined(broker, actor, 500, args.batch)  # warm-up
            broker.join(QUEUE, interval=10, timeout=60_000)
            rates[kind] = _rate(args.messages, lambda a=actor: (
                send_pipelined(broker, a, args.messages, args.batch),
                broker.join(QUEUE, interval=10, timeout=300_000)))
    finally:
        _stop(procs)
        broker.close()
        delete_redis_namespace(args.redis, namespace)
    return rates


def _send_rates(args: argparse.Namespace) -> tuple[float, float]:
    namespace = f"ipgov-bench-{uuid.uuid4().hex[:10]}"
    broker = _broker(args.redis, namespace)
    actor = _declare(broker)["async"]
    count = min(args.messages, 5000)
    try:
        one = _rate(count, lambda: [actor.send("bench") for _ in range(count)])
        piped = _rate(args.messages, lambda: send_pipelined(broker, actor, args.messages,
                                                            args.batch))
    finally:
        broker.close()
        delete_redis_namespace(args.redis, namespace)
    return one, piped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200, help="messages per pipeline")
    parser.add_argument("--layouts", default="2:0,2:100,8:0,8:200",
                        help="threads:prefetch per worker process (prefetch 0: default)")
    parser.add_argument("--redis", default=os.environ.get("IPGOV_TEST_REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))
    args = parser.parse_args(argv)
    with open("/proc/loadavg") as load:
        progress(f"broker: load average {load.read().split()[0]} on {os.cpu_count()} cores")
    one, piped = _send_rates(args)
    print(f"send, one message per round trip   {one:9.0f} msg/s")
    print(f"send, pipelined by {args.batch:<5}           {piped:9.0f} msg/s")
    results = [Result("broker", "Redis send", "one by one", one, "msg/s", None, ""),
               Result("broker", "Redis send", f"pipelined x{args.batch}", piped, "msg/s", None,
                      "")]
    for layout in args.layouts.split(","):
        threads, prefetch = (int(x) for x in layout.split(":"))
        rates = _drain(args, threads, prefetch)
        shown = prefetch or 2 * threads
        for kind, rate in rates.items():
            print(f"drain, {args.workers} x {threads} threads, prefetch {shown:<4} {kind:<5}"
                  f"  {rate:9.0f} msg/s", flush=True)
            results.append(Result("broker", f"{args.workers}x{threads} prefetch {shown}",
                                  f"drain, {kind} no-op", rate, "msg/s", piped,
                                  "pipelined send", ">= 2000 msg/s", rate >= 2000))
    emit(results)


if __name__ == "__main__":
    main()
