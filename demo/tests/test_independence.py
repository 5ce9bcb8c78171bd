"""The demo app may import any other; nothing imports it (docs/architecture.md)."""

import os
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {"demo", "var", "media", "staticfiles", "node_modules"}
IMPORT = re.compile(r"^\s*(?:from\s+demo[\s.]|import\s+demo\b)", re.MULTILINE)


def test_no_other_code_imports_the_demo_app():
    offenders = []
    for top, folders, files in os.walk(ROOT):
        if Path(top) == ROOT:
            folders[:] = [f for f in folders if f not in SKIPPED and not f.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                path = Path(top, name)
                for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group().strip()}")
    assert offenders == []


def test_the_demo_app_is_installed_last():
    assert settings.INSTALLED_APPS[-1] == "demo"
