"""The ``ipgov`` command line."""
