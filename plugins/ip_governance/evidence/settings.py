"""The settings of evidence files (hook ``register_settings``; docs/operations.md lists them),
read with ``platform.plugin_settings("ip_governance")``."""

from __future__ import annotations

from ipgov.api import PlatformContext, PluginSetting, PluginSettings

__all__ = ["DEFAULT_TYPES", "SETTINGS", "allowed_types", "settings_of"]

DEFAULT_TYPES = ",".join((
    "application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation"))

SETTINGS = [
    PluginSetting("evidence_max_bytes", int, 32 * 1024 * 1024,
                  "Largest evidence file (413 above it); the platform's IPGOV_MAX_UPLOAD_BYTES "
                  "is enforced first.", env="IPGOV_EVIDENCE_MAX_BYTES", minimum=1),
    PluginSetting("evidence_allowed_types", str, DEFAULT_TYPES,
                  "Media types accepted, comma separated; the type is sniffed from the "
                  "content and must match the file name's extension.",
                  env="IPGOV_EVIDENCE_ALLOWED_TYPES"),
    PluginSetting("evidence_scan_command", str, "",
                  "Virus scanner run on every upload, the file's path appended (e.g. "
                  "'clamdscan --no-summary --fdpass'): exit 0 clean, 1 infected (refused), "
                  "other an error (refused). Empty: files are stored as not scanned.",
                  env="IPGOV_EVIDENCE_SCAN_COMMAND"),
    PluginSetting("evidence_s3_endpoint", str, "",
                  "S3-compatible object store URL (https://s3.example.com); empty: local disk "
                  "under the data directory.", env="IPGOV_EVIDENCE_S3_ENDPOINT"),
    PluginSetting("evidence_s3_bucket", str, "ipgov-evidence",
                  "Bucket of the evidence files.", env="IPGOV_EVIDENCE_S3_BUCKET"),
    PluginSetting("evidence_s3_region", str, "us-east-1", "Region of the bucket.",
                  env="IPGOV_EVIDENCE_S3_REGION"),
    PluginSetting("evidence_s3_access_key", str, "", "Access key of the object store.",
                  env="IPGOV_EVIDENCE_S3_ACCESS_KEY"),
    PluginSetting("evidence_s3_secret_key", str, "", "Secret key of the object store.",
                  env="IPGOV_EVIDENCE_S3_SECRET_KEY"),
]


def settings_of(platform: PlatformContext) -> PluginSettings:
    """ip_governance's configured settings."""
    return platform.plugin_settings("ip_governance")


def allowed_types(platform: PlatformContext) -> frozenset[str]:
    """The media types an upload may have."""
    raw = str(settings_of(platform).evidence_allowed_types)
    return frozenset(t.strip() for t in raw.split(",") if t.strip())
