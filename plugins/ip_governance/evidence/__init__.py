"""Evidence files: uploaded once, stored by content hash, attached to any record."""
