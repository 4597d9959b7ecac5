"""Identity primitives: password hashing, JWT issuing/verification and service API keys."""
