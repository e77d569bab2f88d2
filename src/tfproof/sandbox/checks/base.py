"""The context every live check reads the sandbox through (its result: `sandbox.livecheck`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tfproof.sandbox.gaps import Gap
from tfproof.sandbox.interface import Sandbox


@dataclass
class StateResource:
    """One managed resource instance of the applied state."""

    address: str
    type: str
    values: dict[str, Any]


class LiveContext:
    """The applied sandbox as the checks see it: its state, its clients, its gaps."""

    def __init__(self, sandbox: Sandbox, state: dict[str, Any], run_id: str,
                 gaps: list[Gap], env_tags: dict[str, str]) -> None:  # fmt: skip
        self.sandbox = sandbox
        self.state = state
        self.run_id = run_id
        self.gaps = gaps
        self.env_tags = env_tags
        self._clients: dict[tuple[str, str | None], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached boto3 client for the sandbox."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.sandbox.client(service, region=region)
        return self._clients[key]

    def resources(self, resource_type: str | None = None) -> list[StateResource]:
        """Managed resources of the state (of one type), in address order."""

        def walk(module: dict[str, Any]) -> Iterator[StateResource]:
            for item in module.get("resources", []):
                if item.get("mode") == "managed":
                    yield StateResource(item["address"], item["type"], item.get("values") or {})
            for child in module.get("child_modules", []):
                yield from walk(child)

        found = walk(self.state.get("values", {}).get("root_module", {}))
        return sorted(
            (r for r in found if resource_type is None or r.type == resource_type),
            key=lambda r: r.address,
        )

    def gap_for(self, resource_type: str) -> Gap | None:
        """The moto gap that left this resource type out of the apply, if any."""
        return next((g for g in self.gaps if resource_type in g.resource_types), None)

    def run_tags(self) -> list[dict[str, str]]:
        """Tags for resources a check creates itself, so cleanup finds them after a crash."""
        return [{"Key": "TfproofRun", "Value": self.run_id}]


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 2.0) -> bool:
    """Poll `predicate` until true or `timeout` seconds pass (every wait here is bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
