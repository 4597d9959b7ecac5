"""Live updates for subscriptions: the per-process watcher they wait on (``hub``)."""
