"""Baselines: adopt tfproof in an old repository without fixing everything first.

A baseline is the set of failures a team has accepted *for now*: `tfproof scan
--write-baseline FILE` records the current ones, `--baseline FILE` (or `--since
REF`, the findings of the same root module at a git ref) makes the exit status 1
only for a failure that is not in it. A known failure is not a pass: every report
still lists it, marked "known", and the summary still counts it as failed; the
baseline entries that no longer fail are reported as fixed, so the file can be
shrunk as the debt is paid.

A failure is identified by `Finding.key` (control, check, resource address; and
whatever else the key grows to hold), never by a line number, a message or a
time, so the same failure matches across runs and edits. The package sits beside
`formats` and `waivers` in the layers: it reads findings and the user's files,
and asks git for a ref's tree; the command scans that tree (`commands.scan_baseline`).

- `document`: the versioned JSON file (schema-checked; written sorted, one failure a line);
- `compare`: marks a report's failures new or known and lists the fixed entries;
- `gitref`: the tree of a git ref in a scratch folder, the user's repository untouched.
"""
