"""`make bench`: throughput and latency of the public pages under gunicorn (bench/run.py)."""
