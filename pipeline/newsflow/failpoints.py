"""Named crash points for the crash-recovery tests.

``NEWSFLOW_FAILPOINT=<name>`` makes the process SIGKILL itself when it reaches that point, so a test
can stop a real ``newsflow run`` exactly between two steps of a commit and check what a reader and
the next run see. Unset (always, outside those tests), a failpoint is a dictionary lookup.
"""

from __future__ import annotations

import os
import signal


def failpoint(name: str) -> None:
    if os.environ.get("NEWSFLOW_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
