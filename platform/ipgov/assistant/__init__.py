"""ipgov as tools for AI assistants (Model Context Protocol): ``ipgov mcp`` over stdio and
``/mcp`` in ``ipgov serve``. Tools are named operations of the public GraphQL API
(``catalog``), run as the caller under the same authorization, scoping, limits and audit
(``server``). See docs/assistant.md."""
