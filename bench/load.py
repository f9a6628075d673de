"""Load generators: wrk when it is installed (Debian's `wrk` package), otherwise a small
pure-Python one (threads, one keep-alive connection each). Both return the same dict:

    {"tool", "requests", "seconds", "rps", "errors", "non_2xx", "p50_ms", "p95_ms",
     "p99_ms", "max_ms"}

"errors" counts failed connections, reads, writes and timeouts; "non_2xx" counts answers
that were not 2xx or 3xx (wrk's own definition).
"""

import http.client
import json
import math
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

# wrk's done() hook: its summary and latency histogram as one line of JSON (microseconds).
WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def available_tool(preferred: str = "auto") -> str:
    if preferred == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if preferred == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), use --loadgen python")
    return preferred


def run(tool: str, url: str, *, connections: int, seconds: float, threads: int = 2) -> dict:
    if tool == "wrk":
        return run_wrk(url, connections=connections, seconds=seconds, threads=threads)
    return run_python(url, connections=connections, seconds=seconds)


def run_wrk(url: str, *, connections: int, seconds: float, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        result = subprocess.run(
            [
                "wrk",
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(
        (line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None
    )
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    elapsed = raw["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "seconds": round(elapsed, 3),
        "rps": round(raw["requests"] / elapsed, 1) if elapsed else 0.0,
        "errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "non_2xx": raw["status"],
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
        "max_ms": raw["max"] / 1000,
    }


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def run_python(url: str, *, connections: int, seconds: float) -> dict:
    """`connections` threads, each sending GETs back to back on one keep-alive connection
    (reconnecting when the server closes it, as gunicorn's sync workers do). Slower than
    wrk and limited by the GIL: good for the smoke test, not for figures."""
    parsed = http.client.urlsplit(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    counts = [{"errors": 0, "non_2xx": 0} for _ in range(connections)]
    start = time.monotonic()
    deadline = start + seconds

    def worker(index: int) -> None:
        connection = None
        while time.monotonic() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
            sent = time.perf_counter()
            try:
                connection.request("GET", target)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                counts[index]["errors"] += 1
                connection.close()
                connection = None
                continue
            latencies[index].append((time.perf_counter() - sent) * 1000)
            if not 200 <= response.status < 400:
                counts[index]["non_2xx"] += 1
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - start
    values = sorted(value for per_thread in latencies for value in per_thread)
    return {
        "tool": "python",
        "requests": len(values),
        "seconds": round(elapsed, 3),
        "rps": round(len(values) / elapsed, 1) if elapsed else 0.0,
        "errors": sum(c["errors"] for c in counts),
        "non_2xx": sum(c["non_2xx"] for c in counts),
        "p50_ms": round(percentile(values, 50), 3),
        "p95_ms": round(percentile(values, 95), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "max_ms": round(values[-1], 3) if values else 0.0,
    }
