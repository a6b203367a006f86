"""Write environment.yml from requirements.lock so conda users get the same pins."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Conda environment with the same pins as requirements.lock (written by
# scripts/sync_environment_yml.py; tests/test_environment.py fails when they drift).
#   conda env create -f environment.yml && conda activate ningbo-315 && pip install -e .
name: ningbo-315
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def locked_pins(lock: Path) -> list[str]:
    """Return the exact `name==version` pins of a lock file, in file order."""
    return [line.strip() for line in lock.read_text(encoding="utf-8").splitlines() if "==" in line and not line.startswith("#")]


def environment_yml(pins: list[str]) -> str:
    """Return the environment.yml text for the given pins."""
    return HEADER + "".join(f"      - {pin}\n" for pin in pins)


def main() -> int:
    """Rewrite environment.yml from requirements.lock."""
    (ROOT / "environment.yml").write_text(environment_yml(locked_pins(ROOT / "requirements.lock")), encoding="utf-8")
    print("environment.yml written from requirements.lock", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
