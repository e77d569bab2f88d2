"""The audit evidence bundle: one folder per `tfproof audit` run that an auditor can trust.

Auditors do not read pytest output. This subpackage turns the results of every
layer (plan assertions, checkov and the custom policies, live checks on the
sandbox) into one verdict per control of the catalog, and writes it as
evidence.json, report.html, controls.csv, junit.xml, results.sarif, the
redacted plans, an OSCAL assessment-results document and a manifest of sha256
hashes that `tfproof verify` re-checks. Modules split by concern:

- `model`: the roll-up of findings, tests and live checks into control verdicts
- `catalog`: the engine's controls in the auditors' words (framework names, the requirement)
- `layers`: running the layers (plans, scan, one pytest run, live checks)
- `manifest`: hashes, git and tool versions, the seal
- `verify`, `nofollow`: checking a sealed bundle without following a link or opening a pipe
- `compare`: what changed since an earlier bundle
- `oscal`, `csvout`, `html`: the auditor-facing formats
- `bundle`: writes the folder atomically, every file through the run's secret guard
  (`tfproof.secrets.scrub.SecretGuard`)
"""
