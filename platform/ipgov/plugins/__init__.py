"""The plugin system: hook specifications, contracts and the registry."""
