"""One live check's verdict: the type the sandbox's checks return and the evidence records.

It crosses a process boundary: a test run may write the live checks it ran to a
JSON file the audit reads back (`$TFPROOF_LIVE_CHECKS_OUT`), and `tfproof
sandbox check` prints them; so the type carries its one JSON form
(`to_json` / `from_json`). Importing it needs nothing else of the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

Status = Literal["passed", "failed", "skipped"]
PASSED: Final = "passed"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"
STATUSES: tuple[Status, ...] = (PASSED, FAILED, SKIPPED)


@dataclass
class LiveCheck:
    """One promise checked against the applied sandbox (an alarm exists, a backup restores...)."""

    name: str
    control: str  # the catalog control it is evidence for; "" for none (idempotence, cleanup)
    status: Status
    detail: str = ""
    resource: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form (evidence.json, the live-checks file, `tfproof sandbox check`)."""
        return {
            "name": self.name,
            "control": self.control,
            "status": self.status,
            "detail": self.detail,
            "resource": self.resource,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LiveCheck:
        """The check `to_json` wrote; a missing or unknown status reads as failed (never passes)."""
        status = data.get("status")
        return cls(
            name=str(data.get("name") or "?"),
            control=str(data.get("control") or ""),
            status=status if status in STATUSES else FAILED,
            detail=str(data.get("detail") or ""),
            resource=str(data.get("resource") or ""),
        )


def outcome(name: str, control: str, ok: bool, detail: str, resource: str = "") -> LiveCheck:
    """A passed or failed LiveCheck."""
    return LiveCheck(name, control, PASSED if ok else FAILED, detail, resource)
