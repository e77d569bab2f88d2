"""The control catalog as the evidence shows it: the engine's controls, in the auditors' words.

The catalog is owned by the policy engine (`policies/catalog.yaml`, loaded by
`tfproof.engine.catalog` into `Control`s and `Framework`s); the evidence uses
those as they are: it groups a control's references by the framework's short
label, records each framework's name and version once in evidence.json (so
report.html, controls.csv and OSCAL, all written from evidence.json, cite the
same version), and joins the seed's words into one requirement.
"""

from __future__ import annotations

from typing import Any

from tfproof.engine.catalog import Control, Framework, load_catalog, load_frameworks
from tfproof.errors import InputError


def frameworks(control: Control, known: dict[str, Framework] | None = None) -> dict[str, list[str]]:
    """The control's framework references, keyed by the framework's label (CIS, NIST 800-53...),
    in the catalog's order of frameworks."""
    known = known if known is not None else load_frameworks()
    unknown = sorted(set(control.references) - set(known))
    if unknown:  # load_catalog refuses these; a Control built elsewhere must not lose them
        raise InputError(f"Control {control.id} cites {', '.join(unknown)}, which the catalog's "
                         "`frameworks:` does not name.")
    return {fw.label: list(control.references[key]) for key, fw in known.items()
            if key in control.references}


def framework_table(known: dict[str, Framework] | None = None) -> list[dict[str, Any]]:
    """evidence.json's `frameworks`: key, label, name, version and title of each framework."""
    known = known if known is not None else load_frameworks()
    return [{"key": fw.key, "label": fw.label, "name": fw.name, "version": fw.version,
             "title": fw.title} for fw in known.values()]


def requirement(control: Control) -> str:
    """The seed's words the control stands for, as one line."""
    return "; ".join(control.seed)


def load_controls() -> list[Control]:
    """The catalog's controls, in catalog order; an empty catalog is an InputError (exit 2)."""
    controls = load_catalog()
    if not controls:
        raise InputError("The control catalog is empty: policies/catalog.yaml lists no control.")
    return controls
