"""Platform events as a public contract (docs/events.md), through an outbox.

- ``catalog``: ``EventType`` (name, version, payload schema, titles) and its checks;
- ``core_types``: the core's types (plugins add theirs with ``register_event_types``);
- ``schemas``: building blocks of payload schemas;
- ``models``: the outbox row ``Event``;
- ``record``: ``record_event``, in the caller's transaction, sent after the commit;
- ``work``: dispatch as a kind of queued work, to every consumer (``platform.event_consumers``);
- ``scans``: the time-driven events of the core (directives due soon, overdue).
"""
