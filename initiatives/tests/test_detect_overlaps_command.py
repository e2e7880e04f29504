"""`manage.py detect_overlaps` as a command: good input writes pairs, bad input exits 2 naming the line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "data" / "overlap_eval.jsonl"


def _subset(tmp_path: Path, ids: set[int]) -> Path:
    lines = [line for line in EVAL.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in ids]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_call_command_writes_pairs(tmp_path: Path) -> None:
    src = _subset(tmp_path, {1, 2, 42})
    out = tmp_path / "pairs.jsonl"
    call_command("detect_overlaps", "--input", str(src), "--output", str(out))
    pairs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(p["a"], p["b"], p["kind"]) for p in pairs] == [(1, 2, "overlap")]
    assert pairs[0]["reasons"] and 0.35 <= pairs[0]["score"] <= 1.5


def test_call_command_bad_input_exits_2_naming_the_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": 1, "description": "Waterstof"}\n{"id": 2}\n', encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("detect_overlaps", "--input", str(src), "--output", str(tmp_path / "o.jsonl"), stderr=err)
    assert exc.value.code == 2
    assert "line 2" in err.getvalue() and "description" in err.getvalue()
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize(("content", "needle"), [
    ('{"id": 1, "description": "x"}\nnot json\n', "line 2: invalid JSON"),
    ('{"id": 1, "description": "x"}\n{"id": 1, "description": "y"}\n', "line 2: duplicate id"),
])
def test_subprocess_bad_input(tmp_path: Path, content: str, needle: str) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(content, encoding="utf-8")
    env = {**os.environ, "PORTAL_DEMO": "1", "SQLITE_PATH": str(tmp_path / "unused.sqlite3")}
    proc = subprocess.run(
        [sys.executable, "manage.py", "detect_overlaps", "--input", str(src), "--output", str(tmp_path / "o.jsonl")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2
    assert needle in proc.stderr


def test_subprocess_good_input_stdout(tmp_path: Path) -> None:
    src = _subset(tmp_path, {1, 2})
    env = {**os.environ, "PORTAL_DEMO": "1", "SQLITE_PATH": str(tmp_path / "unused.sqlite3")}
    proc = subprocess.run(
        [sys.executable, "manage.py", "detect_overlaps", "--input", str(src), "--output", "-"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["kind"] for line in proc.stdout.splitlines()] == ["overlap"]
