"""The sandbox layer: apply the sandbox env, prove its promises through the AWS APIs, clean up.

Two kinds (`tfproof.sandbox.kinds`) behind one interface
(`tfproof.sandbox.interface`): the embedded moto server (default) and a real
sandbox account (`TFPROOF_SANDBOX=aws`, guarded by `TFPROOF_SANDBOX_ACCOUNT_ID`).
`run_live_checks()` runs the whole layer outside pytest and returns one
`LiveCheck` per promise checked. Nothing is imported eagerly: importing this
package starts nothing and needs no AWS library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tfproof.sandbox.live import LiveCheck, LiveRun

__all__ = ["LiveCheck", "LiveRun", "run_live_checks"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tfproof.sandbox import live

        return getattr(live, name)
    raise AttributeError(name)
