"""Resource addresses whose for_each keys hold anything: `]`, `.`, quotes, backslashes.

Terraform prints a string key as a quoted HCL string (`\\"` and `\\\\` escaped), so a key
such as `a]b` or `x"].y` must not end the index early: a cut there lost the finding's
file:line and its configuration (expressions, module source).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tfproof.engine.addresses import instance_key, split_address
from tfproof.plan import config_address

KEYS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def quoted(key: str) -> str:
    """The key as Terraform prints it in an address (JSON's escapes are HCL's for these)."""
    return json.dumps(key, ensure_ascii=False)


@given(outer=KEYS, inner=KEYS, count=st.integers(0, 99))
def test_any_key_is_read_as_one_index(outer, inner, count):
    address = f"module.a[{quoted(outer)}].module.b[{count}].aws_s3_bucket.c[{quoted(inner)}]"
    assert config_address(address) == "module.a.module.b.aws_s3_bucket.c"
    assert split_address(address) == [
        "module", f"a[{quoted(outer)}]", "module", f"b[{count}]", "aws_s3_bucket",
        f"c[{quoted(inner)}]",
    ]
    assert instance_key(address) == quoted(inner)


def test_the_cases_that_broke():
    for key in ("a]b", 'x"].y', "back\\slash", "dot.ted"):
        address = f"aws_s3_bucket.b[{quoted(key)}]"
        assert config_address(address) == "aws_s3_bucket.b"
        assert split_address(address) == ["aws_s3_bucket", f"b[{quoted(key)}]"]
