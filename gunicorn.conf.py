"""gunicorn settings; every value can be overridden by the environment (WEB_CONCURRENCY, PORT)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))   # gthread: a slow client never blocks a worker
worker_class = "gthread"
timeout = 30
graceful_timeout = 10
accesslog = "-"
# Each worker builds the app after the fork (no preload): its own DB pool and LINE thread pool.
preload_app = False
