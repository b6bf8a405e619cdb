"""Asking the stored configs: baseline compliance rules (等保 2.0 and workspace packs) evaluated on
hier_config trees, intended configurations and the remediation that reaches them."""
