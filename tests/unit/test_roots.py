"""Root modules below a folder, and the roots a changed file feeds (`tfproof.terraform.roots`).

On this repository's own `infra/` (the answer a user of `tfproof scan infra/` gets) and,
with hypothesis, on random trees of modules calling each other through local `source`
paths: the roots are exactly the folders with a provider or backend block that no
folder below calls, and a changed file maps to exactly the roots that reach its folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.errors import InputError
from tfproof.terraform.roots import (
    changed_roots,
    declared_variables,
    display,
    find_roots,
)

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
EXAMPLES = sorted(p for p in (INFRA / "modules").glob("*/examples/*") if p.is_dir())


def test_the_roots_of_this_repository_infra():
    found = find_roots(INFRA)
    assert list(found.roots) == [INFRA / "envs" / "production", INFRA / "envs" / "sandbox",
                                 *EXAMPLES]
    assert len(EXAMPLES) >= 17
    # the stack and the modules are called (by the envs, by the examples, by each other)
    assert INFRA / "stacks" / "platform" not in found.roots
    assert not found.not_roots and not found.links and found.notes() == []


def test_changed_files_of_this_repository_map_to_the_roots_that_read_them():
    roots = find_roots(INFRA).roots
    envs = {INFRA / "envs" / "production", INFRA / "envs" / "sandbox"}
    example = INFRA / "modules" / "{}" / "examples" / "basic"

    def mapped(*paths: Path) -> set[Path]:
        return set(changed_roots(roots, list(paths)).roots)

    # s3-bucket is called by alb, cloudtrail and storage, which the stack calls for both envs
    assert mapped(INFRA / "modules" / "s3-bucket" / "main.tf") == envs | {
        Path(str(example).format(m)) for m in ("alb", "cloudtrail", "storage")}
    # sandbox/versions.tf is a link to production's: a change there feeds both envs
    assert mapped(INFRA / "envs" / "production" / "versions.tf") == envs
    # an example is a root of its own: its change feeds that root only
    assert mapped(Path(str(example).format("kms")) / "main.tf") == {
        Path(str(example).format("kms"))}
    # a file deleted from a module's folder still changed that module's plans
    assert mapped(INFRA / "modules" / "kms" / "deleted.tf") == envs | {
        Path(str(example).format("kms"))}
    # documentation is not read by any plan
    readme = INFRA / "modules" / "kms" / "README.md"
    assert changed_roots(roots, [readme]).unmapped == [readme] and not mapped(readme)


PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
BACKENDS = {
    "none": "",
    "s3": 'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n',
    "cloud": 'terraform {\n  cloud {\n    organization = "o"\n  }\n}\n',
    "commented": '# provider "aws" {\n#   region = "us-east-1"\n# }\n',
}


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[bool, str, list[int]]]:
    """Modules m0..mN: (provider block?, backend kind, the later modules each one calls)."""
    count = draw(st.integers(min_value=1, max_value=6))
    return [(draw(st.booleans()), draw(st.sampled_from(sorted(BACKENDS))),
             draw(st.lists(st.integers(min_value=i + 1, max_value=count - 1), unique=True,
                           max_size=3)) if i < count - 1 else [])
            for i in range(count)]


def _write(base: Path, tree: list[tuple[bool, str, list[int]]]) -> list[Path]:
    dirs = [base / "team" / f"m{i}" for i in range(len(tree))]
    for folder, (provider, backend, calls) in zip(dirs, tree, strict=True):
        folder.mkdir(parents=True)
        text = (PROVIDER if provider else "") + BACKENDS[backend]
        text += "".join(f'module "c{j}" {{\n  source = "../m{j}"\n}}\n' for j in calls)
        (folder / "main.tf").write_text(text + 'resource "aws_sqs_queue" "q" {}\n')
    return dirs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_roots_and_changed_files_of_random_trees(tree):
    with tempfile.TemporaryDirectory() as name:
        base = Path(name)
        dirs = _write(base, tree)
        # never searched: a hidden folder and a symlinked folder that leaves the tree
        hidden = base / "team" / ".terraform" / "modules" / "x"
        hidden.mkdir(parents=True)
        (hidden / "main.tf").write_text(PROVIDER)
        outside = base / "elsewhere"
        outside.mkdir()
        (outside / "main.tf").write_text(PROVIDER)
        (base / "team" / "linked").symlink_to(outside, target_is_directory=True)

        called = {j for _p, _b, calls in tree for j in calls}
        declares = [p or b in ("s3", "cloud") for p, b, _c in tree]
        found = find_roots(base / "team")
        assert list(found.roots) == [d for i, d in enumerate(dirs)
                                     if declares[i] and i not in called]
        assert list(found.not_roots) == [d for i, d in enumerate(dirs)
                                         if not declares[i] and i not in called]
        assert list(found.links) == [base / "team" / "linked"]

        def reach(i: int) -> set[int]:
            return {i}.union(*(reach(j) for j in tree[i][2]))

        for i, folder in enumerate(dirs):
            mapped = changed_roots(found.roots, [folder / "main.tf"])
            expected = [d for k, d in enumerate(dirs) if d in found.roots and i in reach(k)]
            assert sorted(mapped.roots) == expected
            assert mapped.unmapped == ([] if expected else [folder / "main.tf"])


def test_var_files_templates_and_docs_of_a_root(tmp_path):
    """What the plan reads (hashed by the planner) maps; what it never reads does not."""
    root = tmp_path / "root"
    for name, text in {"main.tf": PROVIDER, "prod.tfvars": "", "files/policy.json": "{}",
                       "README.md": "", ".terraform.lock.hcl": ""}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    changes = changed_roots([root], [root / n for n in (
        "prod.tfvars", "files/policy.json", "README.md", ".terraform.lock.hcl")])
    assert changes.roots == {root: [root / "prod.tfvars", root / "files" / "policy.json"]}
    assert changes.unmapped == [root / "README.md", root / ".terraform.lock.hcl"]


def test_json_configuration_and_variables(tmp_path):
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "main.tf.json").write_text(
        '{"provider": {"aws": {"region": "us-east-1"}}, "variable": {"a": {}, "b": {}}}')
    (tmp_path / "hcl").mkdir()
    (tmp_path / "hcl" / "main.tf").write_text(
        'terraform {\n  backend "local" {}\n}\nvariable "c" {}\n# variable "d" {}\n')
    assert list(find_roots(tmp_path).roots) == [tmp_path / "hcl", tmp_path / "json"]
    assert declared_variables(tmp_path / "json") == {"a", "b"}
    assert declared_variables(tmp_path / "hcl") == {"c"}


def test_broken_json_configuration_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf.json").write_text('{"provider": ')
    with pytest.raises(InputError, match=r"main\.tf\.json is not valid JSON"):
        find_roots(tmp_path)


def test_display_is_relative_inside_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display(tmp_path / "a" / "b") == "a/b"
    assert display(Path(".")) == "."
    assert display(tmp_path.parent / "x") == str(tmp_path.parent / "x")


def test_a_module_shared_by_many_roots_is_read_once(tmp_path, monkeypatch):
    """A monorepo: 40 roots over a chain of 10 shared modules. Finding the roots and mapping
    a changed file read each folder's calls once, not once per root that reaches it."""
    from tfproof.terraform import roots as roots_module

    for m in range(10):
        module = tmp_path / "modules" / f"m{m}"
        module.mkdir(parents=True)
        call = f'module "next" {{\n  source = "../m{m + 1}"\n}}\n' if m < 9 else ""
        (module / "main.tf").write_text(f'variable "x" {{}}\n{call}')
    for r in range(40):
        root = tmp_path / "envs" / f"r{r}"
        root.mkdir(parents=True)
        (root / "main.tf").write_text('provider "aws" {}\nmodule "m" {\n  source = '
                                      f'"../../modules/m{r % 10}"\n}}\n')
    reads: list[Path] = []
    real = roots_module.module_calls

    def counted(directory: Path) -> set[Path]:
        reads.append(directory)
        return real(directory)

    monkeypatch.setattr(roots_module, "module_calls", counted)
    found = find_roots(tmp_path)
    assert len(found.roots) == 40
    assert len(reads) == len(set(reads)) == 50
    reads.clear()
    changes = changed_roots(found.roots, [tmp_path / "modules" / "m9" / "main.tf"])
    assert len(changes.roots) == 40  # every root reaches the end of the chain
    assert len(reads) == len(set(reads)) == 50
