"""CI entry points: the one script each CI integration runs (`python -m tfproof.ci.github`).

This layer sits above the CLI: it runs `tfproof scan` through `tfproof.cli.main`
(the same arguments, checks and exit statuses a user gets) and turns its one
report into what the CI platform shows (SARIF file, step summary, step outputs).
"""
