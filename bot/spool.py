"""The web node's spool: webhook events kept on local disk while the database refuses them.

When the database cannot take an event, the webhook writes the events of that body here and
answers 200, so nothing depends on LINE's redelivery (off by default in the LINE console). A
file is written whole and fsynced (the file, then its directory) before the answer; its name
starts with the time in nanoseconds, so files sort in the order they were written.

The events are applied again, in order, by the web process itself — a background thread of each
worker that has seen a spool file, polling every ``SPOOL_POLL_SECONDS`` — and by
``flask events replay --spool``. An exclusive ``flock`` on the spool's lock file lets one process
drain at a time, and each event still passes the database's ``webhookEventId`` claim, so an event
that was applied before a crash, or by another process, takes effect once.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)
SUFFIX = ".jsonl"
POLL_SECONDS = 2.0


class Spool:
    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory)

    # --- writing -----------------------------------------------------------------------
    def keep(self, events: list[dict]) -> Path:
        """Write the events durably (fsync of the file and of the directory) before the webhook
        answers 200. Raises OSError (disk full, read-only, missing) — then nothing is kept."""
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp = self.dir / (name + ".tmp")
        data = "".join(json.dumps(e, ensure_ascii=True) + "\n" for e in events).encode("ascii")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            final = self.dir / (name + SUFFIX)
            os.rename(tmp, final)
            self._sync_dir()
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        return final

    def _sync_dir(self) -> None:
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # --- reading -----------------------------------------------------------------------
    def files(self) -> list[Path]:
        try:
            return sorted(p for p in self.dir.iterdir() if p.name.endswith(SUFFIX))
        except OSError:  # no spool yet, or a path that cannot be one: nothing kept there
            return []

    def pending(self) -> bool:
        """Cheap: is there anything to apply? (one directory scan)"""
        try:
            with os.scandir(self.dir) as it:
                return any(e.name.endswith(SUFFIX) for e in it)
        except OSError:
            return False

    def _set_aside(self, path: Path, event: dict, exc: BaseException) -> None:
        poison = self.dir / "poison"
        poison.mkdir(exist_ok=True)
        keep = Spool(poison)
        keep.keep([event])
        log.critical("spool: event %s from %s raised %s; set aside in %s (kept, not applied)",
                     str(event.get("webhookEventId"))[:64], path.name, exc.__class__.__name__,
                     poison, exc_info=(type(exc), exc, exc.__traceback__))

    def status(self) -> dict:
        """{"events", "files", "oldest_age_seconds", "set_aside"} of what waits here."""
        files = self.files()
        events = 0
        for f in files:
            try:
                events += sum(1 for line in f.read_bytes().splitlines() if line.strip())
            except OSError:
                pass
        oldest = None
        if files:
            oldest = max(0.0, time.time() - int(files[0].name.split("-", 1)[0]) / 1e9)
        return {"events": events, "files": len(files),
                "oldest_age_seconds": round(oldest, 1) if oldest is not None else None,
                "set_aside": len(Spool(self.dir / "poison").files())}

    @staticmethod
    def read(path: Path) -> list[dict]:
        events = []
        for n, line in enumerate(path.read_bytes().splitlines(), 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                log.error("spool %s line %d is not JSON: skipped", path.name, n)
                continue
            if isinstance(ev, dict):
                events.append(ev)
        return events

    # --- applying ------------------------------------------------------------------------
    def drain(self, apply: Callable[[dict], object],
              transient: Callable[[BaseException], bool] = lambda exc: True) -> int | None:
        """Apply every spooled event in order; a file is removed once all its events are
        applied. When ``apply`` raises and ``transient(exc)`` (the database refuses again),
        draining stops there and the file stays (what was applied is not applied twice: the
        event-id claim). Any other error is this event's own (a bug): the event is set aside in
        ``poison/`` — kept, logged, counted by ``status`` — so it cannot block the ones after
        it. Returns the number of events applied, or None when another process holds the
        spool."""
        if not self.pending():
            return 0
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            try:
                done = 0
                for path in self.files():
                    try:
                        events = self.read(path)
                    except FileNotFoundError:
                        continue
                    for ev in events:
                        try:
                            apply(ev)
                        except Exception as exc:
                            if transient(exc):
                                raise
                            self._set_aside(path, ev, exc)
                            continue
                        done += 1
                    path.unlink()
                    self._sync_dir()
                return done
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


class Drainer:
    """A worker's background thread that applies the spool while it has files (started when
    this process spools or sees a spool file; it stops once the spool is empty)."""

    def __init__(self, spool: Spool, apply: Callable[[dict], object],
                 ready: Callable[[], bool] = lambda: True, poll: float = POLL_SECONDS,
                 transient: Callable[[BaseException], bool] = lambda exc: True):
        self.spool, self.apply, self.ready, self.poll = spool, apply, ready, poll
        self.transient = transient
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def drain_now(self) -> int | None:
        """Apply the spool in this thread (``flask events replay --spool``), as the poller does."""
        return self.spool.drain(self.apply, self.transient)

    def stop(self) -> None:
        """No more polling (shutdown; tests)."""
        self._stop.set()

    def wake(self) -> None:
        with self._lock:
            if self._stop.is_set() or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._run, name="spool-drain", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while self.spool.pending() and not self._stop.wait(self.poll):
            try:
                if not self.ready():
                    continue
                done = self.drain_now()
                if done:
                    log.info("spool: %d events applied", done)
            except Exception as exc:  # the database refused again: try at the next poll
                log.warning("spool: not applied yet (%s)", exc.__class__.__name__)
