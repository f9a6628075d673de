"""The WSGI module readies its process and freezes the heap (govtracker/warmup.py).

Run in a fresh interpreter: the import is what a gunicorn worker does, and freezing this
test process's heap would change what the other tests measure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json, time
from django.db import connections
import govtracker.wsgi
from django.template import engines
env = engines["jinja2"].env
templates = [n for n in env.loader.list_templates() if n.endswith(".html")]
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "templates": len(templates),
    # Jinja2's cache holds a template once it has been compiled.
    "compiled": sum(1 for key in env.cache if key[1] in templates),
    "connected": any(c.connection is not None for c in connections.all()),
    "threshold": gc.get_threshold(),
}))
"""


def test_importing_the_wsgi_module_compiles_templates_and_freezes_the_heap(tmp_path):
    """...and collects the young generation less often (YOUNG_GENERATION_THRESHOLD)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govtracker.settings",
        # A database that does not exist, in a folder that does not exist: the warm-up
        # must not touch the database (a worker starts before it is reachable).
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'db.sqlite3'}",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["templates"] > 20
    assert result["compiled"] == result["templates"]
    assert result["frozen"] > 10_000
    assert result["connected"] is False
    # The young generation collected every 20,000 new objects, the older ones as CPython's
    # defaults (every 10 collections of the one below).
    assert result["threshold"] == [20_000, 10, 10]
