"""What the browser tests share: Debian's chromium under Playwright (never `playwright install`),
an app served over real HTTP on localhost, and where screenshots go."""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(autouse=True)
def sqlite_only(request):
    """Browser tests run on SQLite only (import this fixture into the module: it is autouse)."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("database_url", "sqlite") != "sqlite":
        pytest.skip("browser tests run on SQLite only")


def playwright():
    """Playwright's sync API, or the calling module skipped (no chromium, no playwright)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (run .ci/install-browser)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed")


@contextlib.contextmanager
def chromium():
    """One headless chromium (use it from a module-scoped fixture)."""
    with playwright().sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def serving(app):
    """``app`` on 127.0.0.1 over HTTP (threaded); yields its base URL."""
    from werkzeug.serving import make_server
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        t.join(5)
