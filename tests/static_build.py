"""The static set as the image builds it, made once per test session by scripts/build_static.sh.

The script runs in a minimal environment (PATH and HOME only): it installs the front-end
packages with a fresh `npm ci` into a directory of its own, so the developer's node_modules
plays no part, then collects with the production settings and manifest storage.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "scripts" / "build_static.sh"
# Where the processes under test look for node_modules: nowhere, so nothing can come from the finders.
NO_NODE_MODULES = "/nonexistent/parkhub-node-modules"


def build_static_set(output: Path, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(BUILD_SCRIPT), str(output)],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": os.environ.get("HOME", str(ROOT)),
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def built_static_set(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("image-static")
    result = build_static_set(output)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (output / "staticfiles.json").is_file(), result.stdout
    return output
