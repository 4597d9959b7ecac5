"""An example partner plugin for ipgov: the smallest plugin that touches every layer.

The hook implementations live in ``ipgov_example_partner.hooks``, the module named by the
``ipgov.plugins`` entry point. Copy this distribution to start a partner plugin.
"""
