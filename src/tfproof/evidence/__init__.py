"""The audit evidence bundle: one folder per `tfproof audit` run that an auditor can trust.

Auditors do not read pytest output. This subpackage turns the results of every
layer (plan assertions, checkov and the custom policies, live checks on the
sandbox) into one verdict per control of the catalog, and writes it as
evidence.json, report.html, controls.csv, junit.xml, results.sarif, the
redacted plans, an OSCAL assessment-results document and a manifest of sha256
hashes that `tfproof verify` re-checks. Modules split by concern:

- `audit`: one audit end to end (`run_audit`); `terminal`: what it prints at the end
- `layers`: what the audit is asked (`AuditRequest`), planning and scanning each target
  through the engine's `scan`; `pytest_run`: the test layers' one pytest run, and
  `pytest_plugin`, its control attribution; `live`: the live layer (the sandbox's checks)
- `inputs`: what the run read (input files, sensitive names, the command as recorded)
- `model`: what the layers produce; `rollup`: one verdict per control from it
- `catalog`: the engine's controls in the auditors' words (framework names, the requirement)
- `waivers`: the waiver table (the one matcher of `tfproof.waivers`)
- `document`: evidence.json and every bundle file derived from it
- `manifest`: hashes, git and tool versions, the seal
- `verify`, `nofollow`: checking a sealed bundle without following a link or opening a pipe
- `compare`: what changed since an earlier bundle
- `oscal`, `csvout`, `html`, `combined`: the auditor-facing formats
- `bundle`: writes the folder atomically, every file through the run's secret guard
  (`tfproof.secrets.scrub.SecretGuard`)
"""
