"""Secrets never leave in clear: redaction of plans and text, and the process-wide scrubber.

- `redact`: masks sensitive values and literal credentials in a plan document
- `text`: credentials inside strings (maps, JSON, scripts, base64)
- `scrub`: the scrubber every message, log, report and cache write goes through
- `generated`: the secrets tfproof generates for the envs (names, where they are kept)
"""
