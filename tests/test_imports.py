"""Nothing outside ``reader/ui/`` imports Textual (each module in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import reader

CHECK = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
    "print(' '.join(bad))"
)


def core_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(reader.__path__, prefix="reader.")
        if info.name != "reader.ui" and not info.name.startswith("reader.ui.")
    ]
    return ["reader", *sorted(names)]


def test_the_module_list_covers_the_core() -> None:
    modules = core_modules()
    for name in ("reader.cli", "reader.service", "reader.storage.store", "reader.output"):
        assert name in modules
    assert not any(name.startswith("reader.ui") for name in modules)


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_import_textual(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, module],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def test_the_check_itself_detects_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, "reader.ui.app"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "textual" in result.stdout.split()
