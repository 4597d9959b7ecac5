"""A TCP proxy in front of PostgreSQL that a test can pause: the database "goes away".

While paused, open connections are cut and new ones are closed as soon as they arrive (what a
client sees when the server restarts or the network drops); resuming lets connections through
again. Runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["PausableProxy"]


class PausableProxy:
    """``127.0.0.1:<port>`` forwarding to ``upstream``; ``pause()`` / ``resume()``."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.paused = False
        self.port = 0
        self.refused = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> PausableProxy:
        """Listen on a free local port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def pause(self) -> None:
        """Cut every open connection and refuse new ones."""
        self.paused = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def resume(self) -> None:
        """Let connections through again."""
        self.paused = False

    async def close(self) -> None:
        """Stop listening and cut everything."""
        self.pause()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
    """A ``PausableProxy`` on its own event loop thread, for clients that block (redis-py)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.proxy = PausableProxy(upstream_host, upstream_port)
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self.loop).result(10)
        self.port = self.proxy.port

    def pause(self) -> None:
        """Cut every open connection and refuse new ones."""
        self.loop.call_soon_threadsafe(self.proxy.pause)

    def resume(self) -> None:
        """Let connections through again."""
        self.loop.call_soon_threadsafe(self.proxy.resume)

    def close(self) -> None:
        """Stop the proxy and its thread."""
        asyncio.run_coroutine_threadsafe(self.proxy.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
