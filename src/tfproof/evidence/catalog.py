"""The control catalog as the evidence shows it: the engine's controls, in the auditors' words.

The catalog is owned by the policy engine (`policies/catalog.yaml`, loaded by
`tfproof.engine.catalog.load_catalog` into `Control`s); the evidence uses those
controls as they are and only names their frameworks the way auditors do and
joins the seed's words into one requirement.
"""

from __future__ import annotations

from tfproof.engine.catalog import Control, load_catalog
from tfproof.errors import InputError

FRAMEWORK_NAMES = {
    "cis": "CIS",
    "nist": "NIST 800-53",
    "nist_800_53": "NIST 800-53",
    "nist80053": "NIST 800-53",
    "soc2": "SOC 2",
    "soc_2": "SOC 2",
}


def frameworks(control: Control) -> dict[str, list[str]]:
    """The control's framework references, keyed by the framework's name (CIS, NIST 800-53...)."""
    out: dict[str, list[str]] = {}
    for key, refs in control.references.items():
        name = FRAMEWORK_NAMES.get(key.lower().replace(" ", "_").replace("-", "_"), key)
        out[name] = list(refs)
    return out


def requirement(control: Control) -> str:
    """The seed's words the control stands for, as one line."""
    return "; ".join(control.seed)


def load_controls() -> list[Control]:
    """The catalog's controls, in catalog order; an empty catalog is an InputError (exit 2)."""
    controls = load_catalog()
    if not controls:
        raise InputError("The control catalog is empty: policies/catalog.yaml lists no control.")
    return controls
