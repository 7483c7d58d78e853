"""cfn-lint accepts the packaged template of every stage in both China regions and a global one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.package import STAGES, chalice_template, dump, package

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_packaged_template_passes_cfn_lint(stage: str, tmp_path: Path) -> None:
    path = tmp_path / "sam.yaml"
    dump(package(chalice_template(stage), stage), path)
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    cmd = [str(cfn_lint), "--regions", "cn-north-1", "cn-northwest-1", "us-east-1", "--", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
