"""Writing a bundle folder so that it is either complete and sealed, or not there at all.

Files are written into `<out>/.<run>.partial/`, every text passing through the
secret guard; then the guard greps every file, the manifest seals the hashes,
and only then is the folder renamed to `<out>/<run>/`. A crash leaves a
`.partial` folder that no one mistakes for evidence; a secret found in any file
deletes the whole folder and fails the run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tfproof import progress
from tfproof.errors import TfproofError
from tfproof.evidence.manifest import ManifestData, bundle_files, seal, sha256_file
from tfproof.secrets.scrub import SecretGuard


class SecretLeak(TfproofError):
    """A known secret value was found in a bundle file: the bundle was deleted."""


class BundleWriter:
    """Writes one bundle folder (see the module docstring)."""

    def __init__(self, out: Path, run_id: str, guard: SecretGuard) -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TfproofError(f"Cannot create the output folder {out}: {exc.strerror}.") from exc
        suffix = 1
        while True:
            name = run_id if suffix == 1 else f"{run_id}-{suffix}"
            suffix += 1
            if (out / name).exists():
                continue
            try:
                (out / f".{name}.partial").mkdir()
            except FileExistsError:  # another audit started in the same second
                continue
            break
        self.name = name
        self.final = out / name
        self.directory = out / f".{name}.partial"
        self.guard = guard

    def path(self, rel: str) -> Path:
        """Absolute path of a bundle file (its folder created)."""
        target = self.directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, rel: str, text: str) -> Path:
        """Write a text file, scrubbed of every known secret."""
        target = self.path(rel)
        target.write_text(self.guard.scrub(text))
        return target

    def write_json(self, rel: str, data: Any, indent: int | None = 1) -> Path:
        """Write a JSON file, every string scrubbed before serialising (and after)."""
        return self.write_text(rel, json.dumps(self.guard.scrub_obj(data), indent=indent) + "\n")

    def copy_text(self, rel: str, source: Path) -> Path | None:
        """Copy a text file produced elsewhere (pytest output, junit), scrubbed."""
        if not source.is_file():
            return None
        return self.write_text(rel, source.read_text(errors="replace"))

    def hashes(self) -> dict[str, str]:
        """sha256 of the files written so far."""
        return {rel: sha256_file(self.directory / rel) for rel in bundle_files(self.directory)}

    def discard(self) -> None:
        """Remove the unfinished folder."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def finish(self, manifest: ManifestData) -> Path:
        """Check for leaks, seal the hashes and publish the folder under its final name."""
        leaks = self.guard.leaks(self.directory)
        if leaks:
            self.discard()
            raise SecretLeak(
                "A known secret value was found in the evidence bundle after redaction, in: "
                f"{', '.join(leaks)}. The bundle was deleted rather than kept with a secret in "
                "it; this is a bug in a writer's redaction, please report it."
            )
        seal(self.directory, manifest)
        self.directory.rename(self.final)
        progress.say(f"bundle sealed: {self.final}")
        return self.final
