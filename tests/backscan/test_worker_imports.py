"""A back-scan worker (a local process, or a Ray actor started on another node) imports what it
matches with and nothing of the database: SQLAlchemy and Alembic cost each new worker process
seconds of start-up on a busy machine (docs/backscan.md, "Engines")."""

from __future__ import annotations

import subprocess
import sys


def test_the_worker_s_modules_do_not_import_the_database_layer() -> None:
    probe = (
        "import sys, bouclier.backscan.engines, bouclier.backscan.worker; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'bouclier.storage') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
