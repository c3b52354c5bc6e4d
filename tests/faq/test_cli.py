"""`troly06 ask` (one question or JSON lines) and `troly06 faq check|reload`."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from bot.cli import main


def test_ask_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "quên mk vneid thì sao"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Quên mật khẩu (passcode)\n") and "https://dantri.com.vn/" in out


def test_ask_jsonl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    questions = "ko nhan dc otp\n\ngiá vàng hôm nay\ndoi sdt vneid\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(questions))
    assert main(["ask", "--jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["question"], r["topic"]) for r in lines] == [
        ("ko nhan dc otp", "otp_not_received"),
        ("giá vàng hôm nay", None),
        ("doi sdt vneid", "change_phone"),
    ]
    assert all(isinstance(r["score"], float) for r in lines)
    assert lines[0]["score"] > lines[1]["score"]


def test_check_refuses_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kb_file: Path
) -> None:
    assert main(["faq", "check", str(kb_file)]) == 0
    assert "Hợp lệ: 38 chủ đề." in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ntopics:\n  - id: cost\n", encoding="utf-8")
    assert main(["faq", "check", str(broken)]) == 1
    assert "Không nhận:" in capsys.readouterr().err


def test_reload_checks_and_marks_the_file(
    kb_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = kb_file.stat().st_mtime_ns
    os.utime(kb_file, ns=(before - 10**9, before - 10**9))
    assert main(["faq", "reload"]) == 0
    assert kb_file.stat().st_mtime_ns > before - 10**9
    assert "Bot sẽ dùng bộ này" in capsys.readouterr().out
    kb_file.write_text("topics: [", encoding="utf-8")
    assert main(["faq", "reload"]) == 1
    assert "Bot vẫn dùng bộ hỏi đáp hiện có" in capsys.readouterr().err
