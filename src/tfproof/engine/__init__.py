"""The policy engine: the control catalog, the custom policies, and one-pass evaluation of a plan.

Kept import-light on purpose: importing it never imports checkov, so the scan
path and the benches pay only for what they run.
"""
