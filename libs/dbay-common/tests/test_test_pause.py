"""The kill-test hook: only the step the pause file names freezes the process, once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dbay_common.test_pause import pause_if_asked


def test_no_file_or_another_step_goes_on(tmp_path: Path) -> None:
    pause_file = tmp_path / "pause"
    pause_if_asked("", "after_hold")
    pause_if_asked(str(pause_file), "after_hold")
    pause_file.write_text("after_commit\n")
    pause_if_asked(str(pause_file), "after_hold")
    assert pause_file.read_text() == "after_commit\n"


def test_the_named_step_freezes_the_process_and_takes_the_file(tmp_path: Path) -> None:
    pause_file = tmp_path / "pause"
    pause_file.write_text("after_hold")
    code = (
        "from dbay_common.test_pause import pause_if_asked; "
        f"pause_if_asked({str(pause_file)!r}, 'after_hold')"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == f"PAUSED after_hold {process.pid}\n"
        assert process.poll() is None  # still frozen
        assert not pause_file.exists()  # a respawned worker does not pause again
    finally:
        process.kill()
        process.wait()
