"""Checking a sealed bundle that a forger may have written: `verify`.

`verify` assumes a forger wrote the folder: every path it opens comes from
listing the folder, never from a seal; it follows no link and opens only
regular files; each file is checked against both seals and the seals against
each other, so a file edited along with its SHA256SUMS line is still named.
This is tamper evidence against edits, not a signature: whoever can rewrite
every file can also rewrite the hashes.

The names of the two seals and the manifest schema live here, the one module
that must read them back; `tfproof.evidence.manifest` writes them (and
re-exports everything public here).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof.errors import InputError
from tfproof.evidence.nofollow import Tree, path_problem, read_regular, scan

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SEALS = (MANIFEST, SUMS)
MANIFEST_SCHEMA = "tfproof-manifest/1"
_SEAL_LIMIT = 64 << 20  # a seal tfproof writes is kilobytes: a bigger one is not read into memory


@dataclass
class Verification:
    """What `tfproof verify` found: an empty problem list means the bundle is intact."""

    directory: Path
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file matches its recorded hash and nothing was added or removed."""
        return not (self.changed or self.missing or self.unexpected or self.problems)

    def flag(self, seal_name: str, issues: list[str]) -> None:
        """A seal holds what seal() never writes: it was edited."""
        if issues:
            self.changed.append(seal_name)
            self.problems.extend(issues)


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and not set(value) - set("0123456789abcdef")


def _read_sums(raw: bytes) -> tuple[dict[str, list[str]], list[str]]:
    """SHA256SUMS as {path: [sha256 of every line for it]}, and each line seal() would not write.

    A repeated line counts too, so a forged line cannot hide behind a good one; a
    path that leads out of the bundle is reported and never opened.
    """
    records: dict[str, list[str]] = {}
    issues = []
    lines = raw.decode("utf-8", "surrogateescape").split("\n")
    if lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        digest, sep, rel = line.partition("  ")
        why = path_problem(rel) or ("the file itself" if rel == SUMS else None)
        if not sep or not _is_sha256(digest):
            issues.append(f"{SUMS} line {number} is not `<sha256>  <file>`")
        elif why:
            issues.append(f"{SUMS} line {number} names {rel!r}, {why}: not read")
        else:
            if rel in records:
                issues.append(f"{SUMS} line {number} repeats the line for {rel}")
            records.setdefault(rel, []).append(digest)
    return records, issues


def _read_manifest(raw: bytes) -> tuple[dict[str, str] | None, list[str]]:
    """manifest.json's `files` as {path: sha256} (None: no usable list), and what is wrong.

    Every JSON type is checked before use: a forged manifest is a finding, not a crash.
    """
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        repeated.extend(key for key, n in Counter(key for key, _ in items).items() if n > 1)
        return dict(items)

    try:
        doc = json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError) as exc:
        return None, [f"{MANIFEST} is not JSON ({str(exc)[:80]})"]
    if not isinstance(doc, dict):
        return None, [f"{MANIFEST} is not a JSON object"]
    issues = [f"{MANIFEST} repeats the key {key!r}" for key in repeated]
    if doc.get("schema") != MANIFEST_SCHEMA:
        issues.append(f"{MANIFEST} is not a {MANIFEST_SCHEMA} manifest")
    files = doc.get("files")
    if not isinstance(files, dict):
        return None, [*issues, f"{MANIFEST} has no `files` object"]
    records = {}
    for rel, digest in files.items():
        why = path_problem(rel) or ("a seal" if rel in SEALS else None)
        if why:
            issues.append(f"{MANIFEST} records {rel!r}, {why}: not read")
        elif not _is_sha256(digest):
            issues.append(f"{MANIFEST} records {repr(digest)[:70]} for {rel}, not a sha256")
        else:
            records[rel] = digest
    return records, issues


def _read_seal(root: int, name: str, tree: Tree, result: Verification) -> bytes | None:
    """The bytes of a seal; None when it is absent, refused or unreadable (each reported)."""
    if name not in tree.files:
        if name not in tree.odd and name not in tree.errors:
            result.missing.append(name)
        return None
    try:
        data = read_regular(root, name, _SEAL_LIMIT)
    except OSError as exc:
        tree.errors[name] = exc
        return None
    if data is None:
        result.flag(name, [f"{name} is over {_SEAL_LIMIT >> 20} MiB: no seal tfproof writes"])
    return data


def _cross_check(manifest_sha: str | None, files: dict[str, str],
                 sums: dict[str, list[str]], result: Verification) -> None:
    """Report each disagreement between the two seals, and which seal was edited.

    seal() writes both from the same hashes, so a disagreement is an edit. While
    manifest.json still matches its SHA256SUMS line, SHA256SUMS changed since the
    seal; otherwise manifest.json did (or its line did, which is the same edit).
    """
    disputed = [rel for rel in sorted((set(files) | set(sums)) - {MANIFEST})
                if {files.get(rel)} != (set(sums.get(rel, ())) or {None})]
    if not disputed:
        return
    if MANIFEST not in sums:
        edited, why = SUMS, f"it does not cover {MANIFEST}"
    elif set(sums[MANIFEST]) == {manifest_sha}:
        edited, why = SUMS, f"{MANIFEST} still matches its line there"
    else:
        edited, why = MANIFEST, f"it no longer matches its line in {SUMS}"
    result.changed.append(edited)
    for rel in disputed:
        if rel not in sums:
            what = f"only {MANIFEST} records it"
        elif rel not in files:
            what = f"only {SUMS} records it"
        else:
            what = f"sha256 {files[rel][:12]}... against {', '.join(d[:12] for d in sums[rel])}..."
        result.problems.append(
            f"{MANIFEST} and {SUMS} disagree on {rel} ({what}): {edited} was edited ({why})")


def verify(directory: Path) -> Verification:
    """Recompute every hash of a bundle and name each file changed, missing or added since.

    A file is CHANGED when its content disagrees with any record of it in either
    seal, so a file edited along with its SHA256SUMS line is named by manifest.json.
    InputError (exit 2) only when the folder cannot be read or holds neither seal:
    anything else done to the folder is a finding (exit 1), never a crash.
    """
    directory = Path(directory)
    try:
        root = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(
            f"{directory} is not a directory: give the folder of an evidence bundle.") from exc
    except OSError as exc:
        raise InputError(f"cannot read the folder {directory} ({exc.strerror}): fix its "
                         "permissions and rerun.") from exc
    try:
        if not any(os.path.lexists(directory / name) for name in SEALS):
            raise InputError(
                f"{directory} is not an evidence bundle: it has no {MANIFEST} and {SUMS} (write "
                "one with `tfproof audit --out DIR`)."
            )
        tree = scan(root, read=True, skip=SEALS)  # the seals are read once, by _read_seal
        if "" in tree.blind:
            raise InputError(f"cannot list the folder {directory} ({tree.errors[''].strerror}): "
                             "fix its permissions and rerun.")
        return _verify_tree(directory, root, tree)
    finally:
        os.close(root)


def _verify_tree(directory: Path, root: int, tree: Tree) -> Verification:
    result = Verification(directory=directory)
    actual = dict(tree.files)  # a seal is "" (not hashed) here until its bytes are read below
    files: dict[str, str] | None = None
    sums: dict[str, list[str]] | None = None
    raw = _read_seal(root, MANIFEST, tree, result)
    if raw is not None:
        actual[MANIFEST] = hashlib.sha256(raw).hexdigest()  # of the very bytes parsed
        files, issues = _read_manifest(raw)
        result.flag(MANIFEST, issues)
    raw = _read_seal(root, SUMS, tree, result)
    if raw is not None:
        sums, issues = _read_sums(raw)
        result.flag(SUMS, issues + ([] if MANIFEST in sums else [f"{SUMS} omits {MANIFEST}"]))
    for rel in sorted(set(files or {}) | set(sums or {})):
        if rel in tree.odd or rel in tree.errors or tree.hidden(rel):
            continue  # a PROBLEM line names it
        if rel not in actual:
            result.missing.append(rel)
            continue
        result.checked += 1
        records = [(files or {}).get(rel), *(sums or {}).get(rel, [])]
        if any(record not in (None, actual[rel]) for record in records):
            result.changed.append(rel)
    if files is not None and sums is not None:
        _cross_check(actual.get(MANIFEST), files, sums, result)
    for rel, what in sorted(tree.odd.items()):
        result.problems.append(f"{rel} is {what}: a bundle holds only regular files (not "
                               "followed, not opened)")
    for rel, exc in sorted(tree.errors.items()):
        blind = "; nothing in it was checked" if rel in tree.blind else ""
        result.problems.append(f"{rel} could not be read ({exc.strerror or exc}){blind}")
    sealed = [set(seal) for seal in (files, sums) if seal is not None]
    present = {*tree.files, *tree.odd, *(set(tree.errors) - tree.blind)} - set(SEALS)
    if sealed:  # a file only one seal records is as unexpected as one neither records
        result.unexpected = sorted(present - set.intersection(*sealed))
    else:
        result.problems.append("neither seal could be read: no file was checked")
    result.changed, result.missing = sorted(set(result.changed)), sorted(set(result.missing))
    return result
