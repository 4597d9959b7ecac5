"""Controlled documents: versions, approval, distribution and acknowledgements."""
