"""A TCP proxy a test controls, in front of PostgreSQL or Redis: the dependency "goes away".

Two ways to go away, as in production:

- ``cut()``: open connections are aborted and new ones closed as soon as they arrive (what a
  client sees when the server restarts or the network drops);
- ``silence()``: connections stay open and new ones are accepted, but nothing flows either way
  (a paused, overloaded or half-partitioned server: SIGSTOP, a full disk, a black-holed
  route); the bytes held meanwhile are delivered on ``resume()``.

``resume()`` lets everything through again. ``PausableProxy`` runs on the test's event loop;
``ThreadedProxy`` on its own thread, for clients that block (redis-py) or for servers running
in other processes while the test's loop is busy.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["PausableProxy", "ThreadedProxy"]


class PausableProxy:
    """``127.0.0.1:<port>`` forwarding to ``upstream``; ``cut()``, ``silence()``, ``resume()``."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.paused = False
        self.port = 0
        self.refused = 0
        self.held = 0  # connections accepted while silent
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> PausableProxy:
        """Listen on a free local port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def cut(self) -> None:
        """Abort every open connection and refuse new ones."""
        self.paused = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    pause = cut  # the name the first outage tests used

    def silence(self) -> None:
        """Keep connections open but let nothing through, in either direction."""
        self._flowing.clear()

    def resume(self) -> None:
        """Let connections through again (and deliver what was held)."""
        self.paused = False
        self._flowing.set()

    async def close(self) -> None:
        """Stop listening and cut everything."""
        self.cut()
        self._flowing.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._flowing.is_set():
            self.held += 1
            self._writers.add(writer)
            await self._flowing.wait()
        if self.paused:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, up_writer})
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink, (writer, up_writer)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                    pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
        try:
            while data := await source.read(65536):
                await self._flowing.wait()
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            for w in pair:
                self._writers.discard(w)
                with contextlib.suppress(Exception):
                    w.transport.abort()


class ThreadedProxy:
    """A ``PausableProxy`` on its own event loop thread."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.proxy = asyncio.run_coroutine_threadsafe(self._make(upstream_host, upstream_port),
                                                      self.loop).result(10)
        self.port = self.proxy.port

    @staticmethod
    async def _make(host: str, port: int) -> PausableProxy:
        return await PausableProxy(host, port).start()

    def _call(self, method: str) -> None:
        done = asyncio.run_coroutine_threadsafe(self._run(method), self.loop)
        done.result(10)

    async def _run(self, method: str) -> None:
        getattr(self.proxy, method)()

    def cut(self) -> None:
        """Abort every open connection and refuse new ones."""
        self._call("cut")

    pause = cut

    def silence(self) -> None:
        """Keep connections open but let nothing through."""
        self._call("silence")

    def resume(self) -> None:
        """Let connections through again."""
        self._call("resume")

    @property
    def refused(self) -> int:
        """Connections refused while cut."""
        return self.proxy.refused

    def close(self) -> None:
        """Stop the proxy and its thread."""
        asyncio.run_coroutine_threadsafe(self.proxy.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
