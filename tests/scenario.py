"""A realistic mid-April state of Ratchaburi FY2565, written straight into an app's database
(groups bound, 40 officers registered with names, entries on past days with their counters):
the scene the dashboard, the cards, the reminders and the brief are looked at in.

On 19 Apr 2565 (the tests' clock; 12 days before จปฐ. closes on 1 May):
- จปฐ. at 71 % province-wide (the straight line stands at 65.4 %);
- จอมบึง at 31 %, nothing logged since Fri 8 Apr (11 days; 3 whole working days — 11, 12
  and 18 Apr — with Songkran's 13–15 Apr off): ``behind`` and ``silent``;
- สวนผึ้ง at 58 %, logging daily: ``behind``;
- บ้านคา at 90 %, nothing since 7 Apr: ``silent`` (ahead of the line, but quiet);
- วัดเพลง at 100 %: ``done``; the other six on track;
- TPMAP (no district targets) and savings groups logged by some officers, not by others.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.timeutil import BANGKOK
from models import LineUser, PlanRecord
from models.queries import bind_group, record_entry

TODAY = dt.date(2022, 4, 19)
JPT_SHARE = {  # district → (share of its target done, the last day anything was logged)
    "mueang-ratchaburi": (0.76, TODAY), "ban-pong": (0.74, TODAY), "photharam": (0.72, TODAY),
    "damnoen-saduak": (0.80, TODAY - dt.timedelta(days=1)), "bang-phae": (0.84, TODAY),
    "pak-tho": (0.68, TODAY), "chom-bueng": (0.31, dt.date(2022, 4, 8)),
    "wat-phleng": (1.00, dt.date(2022, 4, 18)), "suan-phueng": (0.58, TODAY),
    "ban-kha": (0.90, dt.date(2022, 4, 7))}
FIRST_NAMES = ["สมชาย", "สมศรี", "วิไล", "ประเสริฐ", "อรุณี", "ธนพล", "กนกวรรณ", "สุรชัย",
               "พิมพ์ชนก", "วีระ", "จันทร์เพ็ญ", "อนุชา", "ศิริพร", "ชาญวิทย์", "มาลัย", "ปิยะ",
               "นงลักษณ์", "เกียรติศักดิ์", "รัตนา", "บุญมี"]
LAST_NAMES = ["ใจดี", "รักษ์ถิ่น", "มั่นคง", "ศรีสุข", "พูนผล", "แก้วมณี", "ทองดี", "บุญเรือง"]
OFFICERS_PER_DISTRICT = 4
SILENT_OFFICER = "U" + "9" * 32  # registered in จอมบึง, never logged


def group_of(district: str) -> str:
    return ("C" + district.replace("-", "") + "0" * 33)[:33]


def officer_id(district: str, n: int) -> str:
    return ("U" + district.replace("-", "")[:20] + f"{n:02d}" + "0" * 33)[:33]


def officer_name(k: int) -> str:
    return f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {LAST_NAMES[k % len(LAST_NAMES)]}"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BANGKOK).astimezone(dt.timezone.utc)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], first
    while d <= last:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out or [last]


def seed_mid_april(app) -> dict:
    """Fill ``app``'s database; returns what was written (officers, groups, totals)."""
    services = app.extensions["nongpat"]
    written = {"officers": {}, "groups": {}, "jpt": {}, "savings": {}, "tpmap": {}}
    eid = 0
    with services.sessions() as s, s.begin():
        plan_row = s.scalars(select(PlanRecord).where(PlanRecord.key == "ratchaburi-2565")).one()
        plan = services.bot.plans.get(s).get(plan_row.id).plan
        k = 0
        for d in plan.districts:
            group = group_of(d.key)
            bind_group(s, group, "district", d.key, None, plan.province_key)
            written["groups"][d.key] = group
            for n in range(OFFICERS_PER_DISTRICT):
                uid = officer_id(d.key, n)
                s.add(LineUser(user_id=uid, display_name=officer_name(k),
                               profile_fetched_at=_at(TODAY, 8), last_group_id=group,
                               last_seen_at=_at(TODAY, 8), registered_province=plan.province_key,
                               registered_district=d.key, registered_at=_at(dt.date(2022, 3, 28))))
                written["officers"][uid] = (officer_name(k), d.key)
                k += 1
        s.add(LineUser(user_id=SILENT_OFFICER, display_name="ไพโรจน์ เงียบสงบ",
                       profile_fetched_at=_at(TODAY, 8), last_group_id=group_of("chom-bueng"),
                       registered_province=plan.province_key, registered_district="chom-bueng",
                       registered_at=_at(dt.date(2022, 3, 28))))
        written["officers"][SILENT_OFFICER] = ("ไพโรจน์ เงียบสงบ", "chom-bueng")
        s.flush()

        def log(indicator, district, amount, day, user, category=None, hour=10):
            nonlocal eid
            eid += 1
            record_entry(s, plan_id=plan_row.id, indicator_key=indicator, district_key=district,
                         category_key=category, amount=amount, user_id=user,
                         group_id=group_of(district), source_type="group",
                         text=f"บันทึก {indicator} {amount}", event_id=f"seed-{eid:06d}",
                         created_at=_at(day, hour))

        jpt = plan.indicator("jpt")
        for d in plan.districts:
            share, last = JPT_SHARE[d.key]
            total = round(jpt.district_target(d.key) * share)
            days = _days(dt.date(2022, 3, 28), last)
            per, left = divmod(total, len(days))
            for j, day in enumerate(days):
                amount = per + (left if j == len(days) - 1 else 0)
                if amount:
                    log("jpt", d.key, amount, day, officer_id(d.key, j % 3))  # officer 3 never logs
            written["jpt"][d.key] = total
            # TPMAP: a few households a district, none in จอมบึง
            if d.key != "chom-bueng":
                n = 12 + len(d.key)
                log("tpmap", d.key, n, last, officer_id(d.key, 0), "income")
                written["tpmap"][d.key] = n
            # savings groups: officers 0 and 1 of most districts have one each
            if d.key not in ("chom-bueng", "ban-kha"):
                for n in range(2):
                    log("savings", d.key, 1, dt.date(2022, 3, 1) + dt.timedelta(days=7 * n),
                        officer_id(d.key, n), "sammachip")
                written["savings"][d.key] = 2
    return written
