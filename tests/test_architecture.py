"""The architecture of DESIGN.md as import contracts (pyproject.toml, [tool.importlinter]): which
app and which layer may import which, no Django in the matching core, no API code below the API,
no import cycles. `make lint` runs them too; this test makes `pytest` alone fail on a violation."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
