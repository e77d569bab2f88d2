"""The bundle's secret guard: the process-wide scrubber of `tfproof.secrets.scrub`, re-exported.

The audit builds a `SecretGuard` over the run's secrets, scrubs every text it
writes with it and, before sealing, greps every bundle file for each secret
(`SecretGuard.leaks`).
"""

from __future__ import annotations

from tfproof.secrets.scrub import SecretGuard, literal_secrets, run_secrets

__all__ = ["SecretGuard", "literal_secrets", "run_secrets"]
