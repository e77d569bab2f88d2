"""`Finding.to_json` is the JSON contract's finding: the same object `dataclasses.asdict` gave."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from tfproof.findings import STATUSES, Finding

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
FINDINGS = st.builds(
    Finding, control=st.text(max_size=8), check=st.text(max_size=8), source=st.just("tfproof"),
    resource=st.text(max_size=12), status=st.sampled_from(STATUSES), severity=st.just("low"),
    message=st.text(max_size=12), file=st.none() | st.text(max_size=5),
    line=st.none() | st.integers(1, 99), remediation=st.none() | st.text(max_size=5),
    waiver=st.none() | st.dictionaries(st.text(max_size=5), JSON, max_size=3),
    extra=st.dictionaries(st.text(max_size=5), JSON, max_size=3),
    baseline=st.none() | st.sampled_from(("new", "known")), root=st.none() | st.text(max_size=5),
)


@given(FINDINGS)
def test_to_json_is_asdict_without_the_unset_keys(finding):
    expected = dataclasses.asdict(finding)
    for key in ("remediation", "waiver", "baseline", "root"):
        if expected[key] is None:
            del expected[key]
    if not expected["extra"]:
        del expected["extra"]
    data = finding.to_json()
    assert data == expected and list(data) == list(expected)
    if finding.waiver:  # a copy: editing the JSON object leaves the finding as it was
        data["waiver"].clear()
        assert finding.waiver
