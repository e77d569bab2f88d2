"""Readers the custom policies share: what a plan says about alarms, S3, networks, documents.

The policies themselves are data beside their YAML in `policies/checks/` (checkov
loads that folder as external checks); these modules are the importable library
they call.
"""
