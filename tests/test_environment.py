"""environment.yml (conda users) and requirements.lock (make setup) must pin the same versions."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins_in(text: str) -> dict[str, str]:
    """Return {normalized package name: version} for every `name==version` in a text."""
    pins = {}
    for name, version in re.findall(r"([A-Za-z0-9_.\-]+)==([^\s#]+)", text):
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_environment_yml_matches_lock() -> None:
    lock = pins_in((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    env = pins_in((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert lock, "requirements.lock has no pins"
    drift = {name: (lock.get(name), env.get(name)) for name in set(lock) | set(env) if lock.get(name) != env.get(name)}
    assert not drift, f"environment.yml drifts from requirements.lock (lock, env): {drift}; run scripts/sync_environment_yml.py"


def test_every_top_level_requirement_is_locked() -> None:
    lock = pins_in((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    wanted = [re.sub(r"[-_.]+", "-", line.split("#")[0].strip()).lower() for line in (ROOT / "requirements.in").read_text().splitlines()]
    missing = [name for name in wanted if name and name not in lock]
    assert not missing, f"requirements.in names packages the lock does not pin: {missing}"


def test_installed_versions_match_lock() -> None:
    from importlib import metadata

    lock = pins_in((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    wrong = {}
    for name in ("pandas", "numpy", "statsmodels", "matplotlib", "papermill", "pandera"):
        installed = metadata.version(name)
        if installed != lock[name]:
            wrong[name] = (installed, lock[name])
    assert not wrong, f"installed (installed, locked) differ: {wrong}; run make setup"
