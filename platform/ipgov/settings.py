"""Platform settings, read once from ``IPGOV_*`` environment variables.

Defaults run on a laptop with nothing installed: a SQLite file in a data directory,
workers inside the server process, tokens signed by a key the platform generates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = [
    "PluginConfig",
    "PluginSetting",
    "PluginSettingError",
    "PluginSettings",
    "Settings",
    "UndeclaredSetting",
    "get_settings",
    "reset_settings",
]


def _bool(value: str) -> bool:
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


@dataclass(frozen=True)
class Settings:
    """Every setting of the platform; each field maps to ``IPGOV_<FIELD NAME IN CAPITALS>``."""

    data_dir: Path = Path(".ipgov-data")
    database_url: str = ""
    app_database_url: str = ""
    #: PostgreSQL: the connection of system sessions (sign-in, policy loading, onboarding,
    #: tenant lists), a role the policies let see every tenant, without DDL rights
    #: (``ipgov migrate --system-role``); empty: the owner connection.
    system_database_url: str = ""
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    audit_key: str = ""
    #: Where audit-chain checkpoints are witnessed, outside the database: ``file:///dir``
    #: (default ``$IPGOV_DATA_DIR/audit-witness``) or ``redis://host:port/db`` (shared by
    #: every replica); see docs/security.md.
    audit_witness_url: str = ""
    #: ``ipgov migrate`` on PostgreSQL: how long one step waits for a table lock, and how
    #: many times a step that timed out is tried again (with a growing pause) before failing.
    migrate_lock_timeout_seconds: float = 2.0
    migrate_lock_retries: int = 10
    jwt_issuer: str = "ipgov"
    jwt_audience: str = "ipgov-api"
    jwt_ttl_seconds: int = 3600
    oidc_issuer: str = ""
    oidc_jwks_url: str = ""
    oidc_audience: str = ""
    # --- sign-in, sessions, invitations (docs/security.md "Sign-in and sessions") ------------
    #: Base URL of the platform as people reach it, for links sent by e-mail or shown to an
    #: admin (invitations, password resets); default ``http://<host>:<port>``.
    public_url: str = ""
    #: Failed sign-ins of one account from one client address before delays begin; the
    #: delays then double from ``login_delay_seconds`` up to ``login_max_delay_seconds``.
    login_free_attempts: int = 5
    login_delay_seconds: int = 30
    login_max_delay_seconds: int = 900
    #: A refresh token's lifetime (each use issues the next), and a session's absolute limit.
    refresh_ttl_seconds: int = 1_209_600
    session_max_seconds: int = 2_592_000
    invitation_ttl_seconds: int = 604_800
    password_reset_ttl_seconds: int = 3600
    #: Lifetime of a signed download link (exports and reports opened from a browser).
    download_link_seconds: int = 300
    #: ``smtp://user:password@host:port`` (``smtps://`` for TLS, ``?starttls=1``): invitations
    #: and reset links go by e-mail; empty: invitation links are shown to the inviting admin.
    smtp_url: str = ""
    mail_from: str = "ipgov@localhost"
    max_pending_invitations: int = 1000
    #: How recent a sign-in (or a confirmation of it: ``confirmIdentity``) must be to remove a
    #: second factor, renew recovery codes or add a factor (step-up).
    step_up_seconds: int = 600
    # --- end sign-in -------------------------------------------------------------------------
    # --- single sign-on (issue 19): see docs/operations.md, "Single sign-on" --------------------
    #: Whether identity providers may be plain ``http://`` URLs (tests, a provider in the LAN).
    sso_allow_http: bool = False
    #: Networks identity providers may be reached in although they are not public: CIDRs
    #: separated by commas, or ``all``; empty: only public addresses.
    sso_allow_private_networks: str = ""
    #: Bound of each call to a provider (discovery, keys, the code exchange).
    sso_timeout_seconds: float = 10.0
    #: Clock difference tolerated on an ID token's exp, iat and nbf (at most 300).
    sso_clock_skew_seconds: int = 60
    #: How long a sign-in may stay at the provider before its callback is refused.
    sso_login_ttl_seconds: int = 600
    #: How often the metadata of a SAML provider registered from a URL is read again (key
    #: rotation); a response signed with a key it does not name reads it at once.
    sso_saml_metadata_refresh_seconds: int = 21600
    # --- end single sign-on ------------------------------------------------------------------
    # --- outbound notifications (issue 17): see docs/operations.md, "Outbound requests" -------
    #: Networks webhooks and robots may reach although they are not public: CIDRs separated
    #: by commas (``10.0.0.0/8,fd00::/8``), or ``all``; empty: only public addresses.
    notify_allow_private_networks: str = ""
    #: Whether destinations may be plain ``http://`` URLs (tests, a receiver inside the LAN).
    notify_allow_http: bool = False
    #: Bounds of one outbound request: opening the connection, waiting for each read, the
    #: whole exchange, and the most bytes of the answer read (the rest is dropped).
    notify_connect_timeout_seconds: float = 5.0
    notify_read_timeout_seconds: float = 10.0
    notify_total_timeout_seconds: float = 15.0
    notify_max_response_bytes: int = 65_536
    # --- end outbound notifications ----------------------------------------------------------
    graphql_path: str = "/graphql"
    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 5000
    graphql_max_batch: int = 10
    graphql_introspection: bool = True
    max_page_size: int = 100
    max_request_bytes: int = 1_048_576
    #: Deepest nesting of a GraphQL request's JSON body (``ipgov.web.bodyguard``).
    max_json_depth: int = 64
    # --- abuse limits (security suite, issue 9): see docs/security.md -------------------------
    #: Largest body accepted by ``/plugins/...`` routes (uploads); other routes use
    #: ``max_request_bytes``. Enforced while streaming (``ipgov.web.limits``).
    max_upload_bytes: int = 67_108_864
    #: Where rate-limit counters live: ``memory://`` (one process) or ``redis://host:port/db``
    #: (shared by every API replica).
    rate_limit_storage: str = "memory://"
    #: Requests per authenticated caller (user or API key), e.g. ``600/minute``; empty = off.
    rate_limit_user: str = "600/minute"
    #: Requests per client address without valid credentials (sign-in included); empty = off.
    rate_limit_anonymous: str = "120/minute"
    #: GraphQL operations per tenant, over all its users and service accounts; empty = off.
    rate_limit_tenant: str = "3000/minute"
    # --- end abuse limits -----------------------------------------------------------------------
    broker_url: str = ""
    broker_namespace: str = "ipgov"
    otlp_endpoint: str = ""
    tracing: bool = False
    trace_sample_ratio: float = 1.0
    enabled_plugins: str = ""
    policy_poll_seconds: float = 0.25
    embedded_workers: bool = True
    #: ``ipgov serve`` processes sharing the port (``--processes``); each builds its own platform
    web_processes: int = 1
    worker_threads: int = 2
    review_lease_seconds: int = 30
    review_requeue_seconds: int = 15
    # --- availability (issue 22): see docs/operations.md, "Degradation and recovery" -----------
    #: A review sent to the broker but still queued after this long is sent again even
    #: when the broker cannot tell whether it still holds the message (RabbitMQ, embedded).
    review_resend_seconds: int = 150
    #: Plugin jobs have lease and recovery bounds of their own (same meaning as the review
    #: ones above; a job renews its lease at each progress report).
    job_lease_seconds: int = 30
    job_requeue_seconds: int = 15
    job_resend_seconds: int = 150
    #: Event dispatch (the outbox, ``ipgov.events``): same meaning as the job bounds above.
    event_lease_seconds: int = 30
    event_requeue_seconds: int = 15
    event_resend_seconds: int = 150
    #: Notification deliveries (issue 17) have lease and recovery bounds of their own; a
    #: delivery that fails with a retryable answer waits 5 s, 15 s, 45 s ... (tripling, at
    #: most an hour) and is given up ("dead") after this many attempts.
    notify_lease_seconds: int = 60
    notify_requeue_seconds: int = 15
    notify_resend_seconds: int = 150
    notify_max_attempts: int = 10
    #: Live subscriptions (graphql-transport-ws): how often each API process reads what its
    #: subscribers follow, how many things one principal may follow at once, how many
    #: subscriptions one connection may hold, and how often a subscriber's credential is
    #: checked again (a revoked or expired token ends its subscriptions).
    live_poll_seconds: float = 0.5
    live_max_per_principal: int = 50
    live_max_per_connection: int = 20
    live_recheck_seconds: float = 30.0
    #: Seconds to wait for Redis (rate-limit store, broker) before treating it as down.
    redis_timeout_seconds: float = 2.0
    #: Seconds an API key's stored hash is trusted for rate limiting (revocation bound there).
    api_key_cache_seconds: float = 5.0
    #: Database timeouts: opening a connection, one statement (PostgreSQL ``statement_timeout``
    #: and the client's wait for any answer), an idle open transaction, waiting for a pooled
    #: connection, waiting for a lock (PostgreSQL ``lock_timeout``, SQLite ``busy_timeout``).
    database_connect_timeout_seconds: float = 5.0
    database_statement_timeout_seconds: float = 15.0
    database_idle_in_transaction_timeout_seconds: float = 60.0
    database_pool_timeout_seconds: float = 5.0
    database_lock_timeout_seconds: float = 10.0
    #: Most fields one GraphQL document may select once its fragments are expanded.
    graphql_max_fields: int = 2500
    #: Longest a GraphQL document may take to validate.
    graphql_validation_timeout_seconds: float = 2.0
    # --- end availability -------------------------------------------------------------------------
    log_level: str = "INFO"
    #: Raw values of plugin-declared settings by environment variable name
    #: (``{"IPGOV_PATENT_UPLOAD_MAX_BYTES": "1000"}``), over the process environment.
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """Production hides GraphiQL and, unless asked, introspection."""
        return self.environment == "production"

    @property
    def sqlalchemy_url(self) -> str:
        """The owner connection (migrations, provisioning); SQLite file by default."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'ipgov.db').resolve()}"

    @property
    def app_sqlalchemy_url(self) -> str:
        """The connection used to serve requests: on PostgreSQL a non-owner role under RLS."""
        return self.app_database_url or self.sqlalchemy_url

    @property
    def system_sqlalchemy_url(self) -> str:
        """The connection of system sessions: the system role, else the owner connection.

        With an app role and neither a system nor an owner URL there is no connection that
        may read across tenants: a ``ValueError`` that names the setting to give.
        """
        if self.system_database_url:
            return self.system_database_url
        if self.app_database_url and not self.database_url:
            raise ValueError("IPGOV_SYSTEM_DATABASE_URL must be set when IPGOV_APP_DATABASE_URL "
                             "is: the app role cannot read across tenants (see "
                             "docs/operations.md, Database roles)")
        return self.sqlalchemy_url

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``IPGOV_*`` variables; a bad value names the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            key = f"IPGOV_{f.name.upper()}"
            if key not in env:
                continue
            raw = env[key]
            try:
                values[f.name] = _convert(f.type, raw)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        production = values.get("environment") == "production"
        if production and "IPGOV_GRAPHQL_INTROSPECTION" not in env:
            values["graphql_introspection"] = False
        return cls(**values)  # type: ignore[arg-type]


def _convert(kind: object, raw: str) -> object:
    """``raw`` (an environment value) as ``kind`` (a type, or its name); ``ValueError``."""
    kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    if kind_name == "bool":
        return _bool(raw)
    if kind_name == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    if kind_name == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
    if kind_name == "Path":
        return Path(raw)
    return raw


_current: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def reset_settings(settings: Settings | None = None) -> None:
    """Replace (or forget) the process-wide settings; used by the CLI and tests."""
    global _current
    _current = settings


# ---------------------------------------------------------------------------------------------
# Plugin settings: declared by each plugin (hook ``register_settings``), read through
# ``platform.plugin_settings(name)``, validated when the platform is built.
# ---------------------------------------------------------------------------------------------

_SETTING_TYPES = (str, int, float, bool, Path)
CORE_VARIABLES = frozenset(f"IPGOV_{f.name.upper()}" for f in fields(Settings))


class PluginSettingError(ValueError):
    """A plugin setting is declared badly, configured with a bad value, or read undeclared."""


@dataclass(frozen=True)
class PluginSetting:
    """One setting a plugin declares: its name, type, default, variable and meaning.

    ``type`` is ``str``, ``int``, ``float``, ``bool`` or ``pathlib.Path``; ``env`` defaults to
    ``IPGOV_<NAME IN CAPITALS>``; ``minimum`` bounds numbers (a smaller value is refused).
    """

    name: str
    type: type
    default: object
    description: str
    env: str = ""
    minimum: float | None = None

    @property
    def variable(self) -> str:
        """The environment variable that sets it."""
        return self.env or f"IPGOV_{self.name.upper()}"

    def parse(self, raw: str) -> object:
        """The configured value from its raw text; ``ValueError`` saying what was expected."""
        value = _convert(self.type, raw)
        self.check(value)
        return value

    def check(self, value: object) -> None:
        """``ValueError`` unless ``value`` is of the declared type and within bounds."""
        kind = (int, float) if self.type is float else self.type
        if not isinstance(value, kind) or (self.type is int and isinstance(value, bool)):
            raise ValueError(f"expected {self.type.__name__}, got {value!r}")
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            raise ValueError(f"at least {self.minimum:g}, got {value!r}")


class PluginSettings:
    """The configured settings of one plugin: ``plugin_settings("x").upload_max_bytes``.

    Reading a setting the plugin did not declare raises ``PluginSettingError`` (an
    ``AttributeError`` too), so a typo fails loudly instead of reading nothing.
    """

    def __init__(self, plugin: str, declared: Mapping[str, PluginSetting],
                 values: Mapping[str, object]) -> None:
        self._plugin = plugin
        self._declared = dict(declared)
        self._values = dict(values)

    @property
    def declared(self) -> dict[str, PluginSetting]:
        """The plugin's declarations by setting name."""
        return dict(self._declared)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def get(self, name: str) -> Any:
        """The value of setting ``name``; ``PluginSettingError`` when it is not declared."""
        if name not in self._values:
            known = ", ".join(sorted(self._declared)) or "none"
            raise UndeclaredSetting(f"plugin {self._plugin} declares no setting {name!r} "
                                    f"(declared: {known}; declare it in register_settings)")
        return self._values[name]

    def as_dict(self) -> dict[str, object]:
        """Every setting and its value."""
        return dict(self._values)

    def replaced(self, **values: object) -> PluginSettings:
        """A copy with some settings set to other (checked) values, e.g. in tests."""
        for name, value in values.items():
            self.get(name)
            try:
                self._declared[name].check(value)
            except ValueError as exc:
                raise PluginSettingError(self._where(name, exc)) from None
        return PluginSettings(self._plugin, self._declared, {**self._values, **values})

    def _where(self, name: str, exc: Exception) -> str:
        return (f"plugin {self._plugin}, setting {name} "
                f"({self._declared[name].variable}): {exc}")


class UndeclaredSetting(PluginSettingError, AttributeError):
    """A plugin read a setting it did not declare."""


class PluginConfig:
    """Every loaded plugin's settings, resolved and validated once, at start-up."""

    def __init__(self, by_plugin: Mapping[str, PluginSettings] | None = None) -> None:
        self._by_plugin = dict(by_plugin or {})

    @classmethod
    def resolve(cls, declared: Mapping[str, Iterable[PluginSetting]],
                environ: Mapping[str, str]) -> PluginConfig:
        """Check every declaration and read its variable from ``environ`` (defaults where
        unset); the first problem raises ``PluginSettingError`` naming the plugin, the setting
        and the variable."""
        owners: dict[str, str] = {}
        resolved = {}
        for plugin in sorted(declared):
            settings: dict[str, PluginSetting] = {}
            values: dict[str, object] = {}
            for item in declared[plugin]:
                _check_declaration(plugin, item, settings, owners)
                settings[item.name] = item
                owners[item.variable] = f"{plugin}.{item.name}"
                values[item.name] = _value(plugin, item, environ)
            resolved[plugin] = PluginSettings(plugin, settings, values)
        return cls(resolved)

    def of(self, plugin: str) -> PluginSettings:
        """The settings of ``plugin`` (an empty set for a plugin that declares none)."""
        return self._by_plugin.get(plugin) or PluginSettings(plugin, {}, {})

    def replace(self, plugin: str, **values: object) -> None:
        """Set some of ``plugin``'s settings to other checked values (tests, embedding)."""
        self._by_plugin[plugin] = self.of(plugin).replaced(**values)

    def declarations(self) -> list[tuple[str, PluginSetting]]:
        """``(plugin, declaration)`` for every declared setting, by plugin and name."""
        return [(p, s) for p in sorted(self._by_plugin)
                for _n, s in sorted(self._by_plugin[p].declared.items())]


def _check_declaration(plugin: str, item: object, seen: Mapping[str, PluginSetting],
                       owners: Mapping[str, str]) -> None:
    if not isinstance(item, PluginSetting):
        raise PluginSettingError(f"plugin {plugin}: register_settings returned {item!r}, "
                                 "not an ipgov.api.PluginSetting")
    where = f"plugin {plugin}, setting {item.name} ({item.variable})"
    if not item.name.isidentifier() or item.name.startswith("_") or item.name in seen:
        raise PluginSettingError(f"{where}: the name must be a new identifier")
    if item.type not in _SETTING_TYPES:
        raise PluginSettingError(f"{where}: type must be str, int, float, bool or Path")
    if not item.variable.startswith("IPGOV_") or item.variable in CORE_VARIABLES:
        raise PluginSettingError(f"{where}: the variable must start with IPGOV_ and not be a "
                                 "core setting's")
    if item.variable in owners:
        raise PluginSettingError(f"{where}: {owners[item.variable]} already reads this "
                                 "variable")
    if not item.description.strip():
        raise PluginSettingError(f"{where}: describe it (docs/operations.md lists it)")
    try:
        item.check(item.default)
    except ValueError as exc:
        raise PluginSettingError(f"{where}: bad default: {exc}") from None


def _value(plugin: str, item: PluginSetting, environ: Mapping[str, str]) -> object:
    raw = environ.get(item.variable)
    if raw is None:
        return item.default
    try:
        return item.parse(raw)
    except ValueError as exc:
        raise PluginSettingError(f"plugin {plugin}, setting {item.name} ({item.variable}): "
                                 f"{exc}") from None
