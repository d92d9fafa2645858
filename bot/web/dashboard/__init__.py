"""The provincial dashboard at /dashboard: progress per indicator and district, burn-up charts,
the fiscal year's milestones, the audit trail of entries, and xlsx/csv exports, of the plan
chosen with ?province=&fiscal_year= (bot.web.api.choose_plan); and /dashboard/national, every
province ranked per indicator. Who sees what: bot/web/access.py and the guard in views.py;
logging in: auth.py (the token form) and line_login.py (เข้าสู่ระบบด้วย LINE).

Wire it with ``app.register_blueprint(bp)``.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard",
               template_folder="templates", static_folder="static")


@bp.record_once
def _configure(state) -> None:
    from bot.web.dashboard.auth import configure
    configure(state.app)


from bot.web.dashboard import views  # noqa: E402,F401  (routes)
from bot.web.dashboard import brief  # noqa: E402,F401  (the meeting brief)
from bot.web.dashboard import line_login  # noqa: E402,F401  (เข้าสู่ระบบด้วย LINE)

__all__ = ["bp"]
