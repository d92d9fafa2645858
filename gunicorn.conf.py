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
# gunicorn ≥ 23 opens a control socket at ~/.gunicorn/gunicorn.ctl by default: one path for every
# gunicorn of the user, so two on one machine (web + a staging copy, tests) would take each
# other's. We do not use it; set GUNICORN_CONTROL_SOCKET to a path of your own to have it.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker):
    # one line per worker once its app is built (and the database set up): operators and tests
    # know when every worker serves, not only the first
    worker.log.info("worker ready (pid: %s)", worker.pid)


def worker_exit(server, worker):
    # a worker stopping on a graceful shutdown writes the ids of its last answers (queued a
    # second at most, see bot.service.Bot.flush_sent) instead of dropping them
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("nongpat") if app is not None else None
    if services is not None:
        services.line.drain(timeout=5)
        services.bot.flush_sent()
