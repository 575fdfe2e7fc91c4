"""The clean side of the sample: units, their members over the years, and
each unit-year's canonical records (values before any mess is planted).

Everything here draws from the random source it is given, in a fixed order,
so the same seed gives the same records.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from random import Random
from typing import Sequence

from gonghui_kit.ingest.idcard import valid_id
from gonghui_kit.ledgers.sample.values import cn_number, money
from gonghui_kit.schema import load_schema

__all__ = ["UnitProfile", "UnitSim", "simulate_unit", "simulate_year", "unit_profiles"]

_SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


# --------------------------------------------------------------------------
# units


@dataclass(frozen=True)
class UnitProfile:
    """One grassroots union and how it behaves over the years."""

    name: str
    kind: str  # 企业 / 学校 / 幼儿园 / 机关
    employees: int  # staff in the first year
    parent: str  # 上级工会
    member_rate: float = 0.97  # target membership rate
    member_growth: float = 0.01  # yearly change of the membership
    trend: float = 1.0  # yearly factor on activities, publicity, training
    close_rate: float = 1.0  # share of accepted proposals closed
    cash_gifts: bool = False  # pays holiday/birthday care in cash (breaks caps)
    renamed_to: str | None = None  # name in the last year
    departments: tuple[str, ...] = ()


_DEPTS = {
    "企业": ("生产部", "技术部", "设备科", "安全科", "综合办", "财务科"),
    "学校": ("语文组", "数学组", "英语组", "理化组", "行政办", "后勤处"),
    "幼儿园": ("大班组", "中班组", "小班组", "保健室", "后勤组"),
    "机关": ("办公室", "综合科", "业务一科", "业务二科", "人事科"),
}

_BASE_UNITS: tuple[UnitProfile, ...] = (
    UnitProfile("机修分工会", "企业", 180, "市机械集团工会", 0.96, 0.01, 1.0, 1.0),
    UnitProfile("第一中学工会", "学校", 210, "区教育工会", 0.99, 0.02, 1.05, 0.9),
    UnitProfile("阳光幼儿园工会", "幼儿园", 38, "区教育工会", 0.97, 0.04, 1.45, 1.0),
    UnitProfile("区财政局机关工会", "机关", 85, "区直机关工会", 1.0, 0.0, 1.0, 1.0, cash_gifts=True),
    UnitProfile("动力车间分工会", "企业", 320, "市机械集团工会", 0.94, 0.015, 1.05, 0.75, renamed_to="动力分厂分工会"),
    UnitProfile("炼钢厂分工会", "企业", 900, "市机械集团工会", 0.95, 0.01, 1.1, 0.85),
    UnitProfile("实验小学工会", "学校", 120, "区教育工会", 0.98, 0.01, 1.0, 1.0),
    UnitProfile("销售公司分工会", "企业", 150, "市机械集团工会", 0.86, -0.02, 0.95, 0.6, cash_gifts=True),
    UnitProfile("区卫健委机关工会", "机关", 60, "区直机关工会", 0.97, 0.0, 1.0, 1.0),
    UnitProfile("运输车队分工会", "企业", 95, "市机械集团工会", 0.88, -0.04, 0.7, 0.5),
    UnitProfile("蓓蕾幼儿园工会", "幼儿园", 25, "区教育工会", 1.0, 0.0, 1.0, 1.0),
    UnitProfile("质检中心分工会", "企业", 62, "市机械集团工会", 0.93, 0.02, 1.15, 0.8),
)
_EXTRA_PREFIXES = ("东区", "西区", "南区", "北区", "新城", "开发区", "高新区", "滨江")


def unit_profiles(units: int = 12) -> list[UnitProfile]:
    """The first ``units`` profiles, a mix of kinds; beyond 12 the base units
    are repeated with a district prefix (``东区机修分工会`` …)."""
    if units < 1:
        raise ValueError("units must be at least 1")
    out = []
    for i in range(units):
        base = _BASE_UNITS[i % len(_BASE_UNITS)]
        r = i // len(_BASE_UNITS)
        if r:
            prefix = _EXTRA_PREFIXES[r - 1] if r - 1 < len(_EXTRA_PREFIXES) else f"第{r}片区"
            base = UnitProfile(
                prefix + base.name,
                base.kind,
                base.employees,
                base.parent,
                base.member_rate,
                base.member_growth,
                base.trend,
                base.close_rate,
                base.cash_gifts,
                None,
            )
        out.append(UnitProfile(**{**base.__dict__, "departments": _DEPTS[base.kind]}))
    return out


# --------------------------------------------------------------------------
# random helpers


def _rand_date(rng: Random, year: int, month: int | None = None) -> dt.date:
    m = month or rng.randint(1, 12)
    return dt.date(year, m, rng.randint(1, calendar.monthrange(year, m)[1]))


def _weighted(rng: Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


# --------------------------------------------------------------------------
# members (simulated per unit across the years)


@dataclass
class _Member:
    name: str
    gender: str
    birth: dt.date
    join: dt.date
    leave: dt.date | None = None
    status: str | None = None  # None = 在册 (blank)
    id_number: str = ""
    phone: str = ""
    department: str = ""


class _People:
    """Unique, obviously invented names (张某甲, 王某乙子 …), ID numbers, phones."""

    def __init__(self, rng: Random):
        self.rng = rng
        combos = [s + "某" + t for t in _STEMS for s in _SURNAMES]
        combos += [s + "某" + t + b for b in _BRANCHES for t in _STEMS for s in _SURNAMES]
        rng.shuffle(combos)
        self._names = combos
        self._next = 0
        self._ids: set[str] = set()

    def name(self) -> str:
        i = self._next
        self._next += 1
        if i < len(self._names):
            return self._names[i]
        return self._names[i % len(self._names)] + str(i // len(self._names) + 1)

    def id_number(self, birth: dt.date) -> str:
        while True:
            s = f"3201{self.rng.randint(1, 16):02d}{birth:%Y%m%d}{self.rng.randint(0, 999):03d}{self.rng.randint(0, 9)}"
            if valid_id(s):  # never a real check digit: nothing may be derived from an invented number
                s = s[:17] + str((int(s[17]) + 1) % 10)
            if s not in self._ids:
                self._ids.add(s)
                return s

    def phone(self) -> str:
        return "15" + "".join(str(self.rng.randint(0, 9)) for _ in range(9))


def _new_member(rng: Random, people: _People, p: UnitProfile, join: dt.date, age: int) -> _Member:
    female = {"学校": 0.7, "幼儿园": 0.95, "机关": 0.5}.get(p.kind, 0.3)
    birth = _rand_date(rng, join.year - age)
    return _Member(
        name=people.name(),
        gender="女" if rng.random() < female else "男",
        birth=birth,
        join=join,
        id_number=people.id_number(birth),
        phone=people.phone(),
        department=rng.choice(p.departments),
    )


@dataclass
class UnitSim:
    members: list[_Member]
    employees: dict[int, int]


def simulate_unit(p: UnitProfile, years: Sequence[int], rng: Random, factor: float) -> UnitSim:
    """Members joining and leaving year by year; staff follow the membership."""
    people = _People(rng)
    y0, y_last = years[0], years[-1]
    n0 = max(3, round(p.employees * factor * p.member_rate))
    members: list[_Member] = []
    for _ in range(n0):
        age_now = rng.randint(23, 58)
        join_year = rng.randint(max(y0 - 30, y0 - age_now + 21), y0 - 1)
        m = _new_member(rng, people, p, _rand_date(rng, join_year), age_now - (y0 - join_year))
        members.append(m)
    employees: dict[int, int] = {}
    for y in range(y0, y_last + 1):
        active = [m for m in members if m.leave is None]
        n_leave = round(len(active) * rng.uniform(0.01, 0.05))
        for m in rng.sample(active, min(n_leave, len(active))):
            m.leave = _rand_date(rng, y)
            age = y - m.birth.year
            m.status = "退休" if age >= 55 else ("除名" if rng.random() < 0.1 else "转出")
        target = round(len(active) * (1 + p.member_growth + rng.uniform(-0.01, 0.01)))
        n_join = max(0, target - (len(active) - n_leave))
        for _ in range(n_join):
            members.append(_new_member(rng, people, p, _rand_date(rng, y), rng.randint(22, 35)))
        end = sum(1 for m in members if m.join.year <= y and (m.leave is None or m.leave.year > y))
        rate = min(1.0, p.member_rate + rng.uniform(-0.012, 0.012))
        employees[y] = max(end, round(end / rate))
    return UnitSim(members, employees)


def _roster(sim: UnitSim, year: int, fill_date: dt.date, late_joiners: bool) -> list[_Member]:
    """Members listed in a year's 会员名册: in the union at some point of the
    year, plus (``late_joiners``) those who joined before the ledger was filled."""
    cutoff = fill_date if late_joiners else dt.date(year, 12, 31)
    rows = [m for m in sim.members if m.join <= cutoff and (m.leave is None or m.leave.year >= year)]
    rows.sort(key=lambda m: (m.department, m.join))
    return rows


# --------------------------------------------------------------------------
# content: canonical records per sheet (values before any mess)

_ACT_NAMES = {
    "文体活动": (
        "职工篮球赛",
        "羽毛球比赛",
        "健步走活动",
        "迎新春文艺汇演",
        "拔河比赛",
        "乒乓球比赛",
        "摄影作品展",
        "趣味运动会",
    ),
    "劳动竞赛": ("安全生产百日竞赛", "降本增效劳动竞赛", "质量月劳动竞赛", "节能减排竞赛"),
    "技能比武": ("电工技能比武", "焊工技能大赛", "岗位练兵比武", "青年教师基本功大赛"),
    "教育培训": ("工会干部培训", "职工素质提升讲座", "心理健康讲座", "劳动法知识讲座"),
    "参观学习": ("红色教育基地参观", "兄弟单位交流学习", "劳模工作室参观"),
    "节日活动": ("元宵节猜灯谜", "端午节包粽子", "中秋游园会", "迎新年联欢会"),
    "志愿服务": ("社区志愿服务", "义务植树", "无偿献血", "文明交通志愿岗"),
    "女职工活动": ("三八节插花活动", "女职工健康讲座", "亲子阅读活动"),
    "其他": ("职工之家开放日", "会员座谈会"),
}
_ACT_WEIGHTS = {
    "企业": {
        "文体活动": 4,
        "劳动竞赛": 3,
        "技能比武": 3,
        "教育培训": 2,
        "参观学习": 1,
        "节日活动": 2,
        "志愿服务": 1,
        "女职工活动": 1,
        "其他": 0.5,
    },
    "学校": {
        "文体活动": 4,
        "劳动竞赛": 0.5,
        "技能比武": 2,
        "教育培训": 3,
        "参观学习": 1,
        "节日活动": 2,
        "志愿服务": 1,
        "女职工活动": 2,
        "其他": 0.5,
    },
    "幼儿园": {
        "文体活动": 3,
        "技能比武": 1,
        "教育培训": 2,
        "参观学习": 1,
        "节日活动": 3,
        "志愿服务": 1,
        "女职工活动": 3,
        "其他": 0.5,
    },
    "机关": {"文体活动": 4, "教育培训": 3, "参观学习": 2, "节日活动": 2, "志愿服务": 2, "女职工活动": 1, "其他": 0.5},
}
_MONTH_WEIGHTS = (8, 6, 8, 6, 9, 6, 5, 4, 7, 8, 6, 9)
_ACT_DEPTS = ("工会办", "女工委", "文体协会", "团委", "工会办")
_CARE_REASONS = {
    "生病住院": 5,
    "婚嫁": 2,
    "生育": 2,
    "丧葬": 2,
    "困难帮扶": 3,
    "退休": 2,
    "节日慰问": 3,
    "生日": 2,
    "其他": 0.5,
}
_CARE_AMOUNT = {
    "生病住院": (300, 1000),
    "婚嫁": (500, 800),
    "生育": (500, 800),
    "丧葬": (800, 1000),
    "困难帮扶": (1000, 3000),
    "退休": (500, 1000),
    "节日慰问": (200, 400),
    "生日": (100, 200),
    "其他": (200, 500),
}
_PROPOSAL_TOPICS = (
    "职工食堂",
    "班车线路",
    "休息室改造",
    "劳保用品发放",
    "体检项目",
    "职工书屋",
    "停车管理",
    "夜班补贴",
    "培训机会",
    "绩效考核办法",
    "安全防护设施",
    "子女托管",
)
_PROPOSAL_CATS = ("生产经营", "民主管理", "职工福利", "安全生产", "后勤保障")
_PUB_FORMS = {"报刊文章": 2, "网络新媒体": 5, "橱窗图板": 2, "横幅": 1, "板报": 1, "简报": 2, "其他": 0.3}
_PUB_LEVELS = {"内部": 40, "县级": 25, "市级": 25, "省级": 7, "国家级": 2}
_TRAIN_NAMES = {
    "政治理论": ("党的二十大精神学习", "工会理论学习", "主题教育专题学习"),
    "业务技能": ("岗位技能培训", "新员工入职培训", "信息化应用培训"),
    "安全生产": ("安全生产专题培训", "消防应急演练", "职业病防护培训"),
    "法律法规": ("劳动合同法解读", "普法讲座", "工会法学习"),
    "其他": ("心理健康辅导", "急救知识培训"),
}
_TRAIN_WEIGHTS = {
    "企业": {"政治理论": 2, "业务技能": 3, "安全生产": 4, "法律法规": 2, "其他": 1},
    "学校": {"政治理论": 3, "业务技能": 4, "安全生产": 1, "法律法规": 2, "其他": 1},
    "幼儿园": {"政治理论": 2, "业务技能": 4, "安全生产": 2, "法律法规": 1, "其他": 1},
    "机关": {"政治理论": 5, "业务技能": 3, "安全生产": 1, "法律法规": 3, "其他": 1},
}
_AWARD_NAMES = (
    "先进职工之家",
    "模范职工小家",
    "五一劳动奖状",
    "工人先锋号",
    "优秀工会工作者",
    "优秀工会积极分子",
    "巾帼建功标兵",
    "职工技能大赛",
    "优秀工会小组",
    "师德标兵",
    "安康杯竞赛优胜单位",
)
_AWARD_LEVELS = {"单位内部": 35, "县区级": 30, "市厅级": 25, "省部级": 8, "国家级": 1}
_GRADES = ("一等奖", "二等奖", "三等奖", "优秀奖", None, None)


def _count(
    rng: Random, fixed: float, per: float, n_members: int, factor: float, trend: float = 1.0, minimum: int = 1
) -> int:
    """Rows of a sheet: ``fixed`` plus one per ``per`` members of the unscaled
    unit, times ``trend``, times the size ``factor`` (members are already scaled)."""
    base = fixed + n_members / factor / per
    return max(minimum, round(base * trend * factor * rng.uniform(0.85, 1.15)))


def _unique_text(seen: set, text: str) -> str:
    out, k = text, 2
    while out in seen:
        out = f"{text}（{cn_number(k) if k < 32 else k}）"
        k += 1
    seen.add(out)
    return out


def _activities(rng, p, year, t, n_members, factor, n_missing: int = 0):
    n = _count(rng, 5, 25, n_members, factor, p.trend**t, 2)
    weights = _ACT_WEIGHTS[p.kind]
    seen: set = set()
    out = []
    for _ in range(n):
        cat = _weighted(rng, weights)
        month = rng.choices(range(1, 13), weights=_MONTH_WEIGHTS)[0]
        part = max(5, min(n_members, round(n_members * rng.uniform(0.1, 0.8))))
        amount = None if cat == "志愿服务" or rng.random() < 0.06 else money(part * rng.uniform(20, 150) * p.trend**t)
        if amount is not None and rng.random() < 0.5:
            amount = float(round(amount, -1))
        out.append(
            {
                "date": _rand_date(rng, year, month),
                "name": _unique_text(seen, rng.choice(_ACT_NAMES[cat])),
                "category": cat,
                "participants": part,
                "amount": amount,
                "department": rng.choice(_ACT_DEPTS),
                "note": rng.choice((None, None, None, "照片存档", "已报上级工会")),
            }
        )
    have = sum(r["amount"] is None for r in out)
    for r in rng.sample(out, min(len(out), max(0, n_missing - have))):
        r["amount"] = None
    return out


def _funds(rng, p, year, employees, n_members, factor, legacy: bool):
    schema = load_schema()
    items = {acc: list(subs) for acc, subs in schema.accounts["expense"].items()}
    out = []
    dues = n_members * rng.uniform(250, 400)
    for q in range(4):  # quarterly dues and allocated funds
        out.append(
            {
                "direction": "收入",
                "account": "会费收入",
                "amount": money(dues / 4),
                "_item": None,
                "date": _rand_date(rng, year, q * 3 + rng.randint(1, 3)),
                "summary": f"收第{cn_number(q + 1)}季度会费",
            }
        )
        out.append(
            {
                "direction": "收入",
                "account": "拨缴经费收入",
                "amount": money(employees * rng.uniform(400, 700) / 4),
                "_item": None,
                "date": _rand_date(rng, year, q * 3 + rng.randint(1, 3)),
                "summary": "收拨缴经费",
            }
        )
    for acc, p_ in (("上级补助收入", 0.6), ("行政补助收入", 0.5), ("其他收入", 0.4)):
        if rng.random() < p_:
            out.append(
                {
                    "direction": "收入",
                    "account": acc,
                    "amount": money(employees * rng.uniform(30, 200)),
                    "_item": None,
                    "date": _rand_date(rng, year),
                    "summary": f"收{acc[:-2]}",
                }
            )
    if legacy:
        out.append(
            {
                "direction": "收入",
                "account": "附属单位上缴收入",
                "amount": money(rng.uniform(5000, 20000)),
                "_item": None,
                "date": _rand_date(rng, year),
                "summary": "附属单位上缴",
            }
        )
    income = sum(r["amount"] for r in out)
    spend = income * rng.uniform(0.8, 1.0)
    shares = {
        "职工活动支出": 0.55,
        "维权支出": 0.15,
        "业务支出": 0.1,
        "职工服务支出": 0.1,
        "资本性支出": 0.04,
        "其他支出": 0.06,
    }
    if legacy:
        shares["对附属单位的支出"] = 0.05
    n_exp = _count(rng, 8, 25, employees, factor, minimum=6)
    accounts = rng.choices(list(shares), weights=list(shares.values()), k=n_exp)
    for a in shares:  # every planned account at least once
        if a not in accounts:
            accounts.append(a)
    weights = [rng.uniform(0.5, 1.5) * shares[a] / accounts.count(a) for a in accounts]
    total_w = sum(weights)
    for a, w in zip(accounts, weights, strict=True):
        item = rng.choice(items[a]) if items[a] else None
        if item in ("职工集体福利", "其它支出"):
            item = None
        out.append(
            {
                "direction": "支出",
                "account": a,
                "_item": item,
                "amount": money(max(500.0, spend * w / total_w)),
                "date": _rand_date(rng, year),
                "summary": f"支付{item or a.replace('支出', '')}费用",
            }
        )
    out.sort(key=lambda r: r["date"])
    for i, r in enumerate(out, 1):
        r["voucher"] = f"{'收' if r['direction'] == '收入' else '付'}-{i:03d}"
    return out


def _care(rng, p, year, roster_names, n_members, factor, cash_gifts: bool):
    n = _count(rng, 3, 15, n_members, factor, minimum=2)
    seen: set = set()
    out = []

    def add(rec):
        key = (rec["date"], rec["recipient"], rec["reason"], rec["visits"], rec["amount"], rec["form"])
        if key not in seen:
            seen.add(key)
            out.append(rec)

    for _ in range(n):
        reason = _weighted(rng, _CARE_REASONS)
        lo, hi = _CARE_AMOUNT[reason]
        if reason == "节日慰问":
            visits = max(2, round(n_members * rng.uniform(0.2, 1.0)))
            amount = money(visits * rng.randrange(lo, hi + 1, 50))
            recipient = rng.choice(("全体会员", "一线职工", "困难职工", "退休职工"))
            form = "实物"
        else:
            visits = 1
            amount = money(rng.randrange(lo, hi + 1, 100))
            recipient = rng.choice(roster_names)
            form = "现金" if reason in ("生病住院", "丧葬", "困难帮扶") else rng.choice(("现金", "实物"))
        if reason == "生日":
            form = "实物"
        add(
            {
                "date": _rand_date(rng, year),
                "recipient": recipient,
                "reason": reason,
                "visits": visits,
                "amount": amount,
                "form": form,
            }
        )
    if cash_gifts:  # holiday/birthday care in cash, above what the rules allow
        add(
            {
                "date": dt.date(year, 1, rng.randint(10, 20)),
                "recipient": "全体会员",
                "reason": "节日慰问",
                "visits": n_members,
                "amount": money(n_members * rng.choice((800, 1000, 1200))),
                "form": "现金",
                "_cash_gift": True,
            }
        )
        add(
            {
                "date": _rand_date(rng, year, rng.choice((3, 6, 9))),
                "recipient": "当月过生日会员",
                "reason": "生日",
                "visits": max(2, n_members // 12),
                "amount": money(max(2, n_members // 12) * 600),
                "form": "现金",
                "_cash_gift": True,
            }
        )
    out.sort(key=lambda r: r["date"])
    return out


def _proposals(rng, p, year, roster_names, n_members, factor):
    n = _count(rng, 2, 40, n_members, factor)
    out = []
    seen: set = set()
    for i in range(n):
        d = _rand_date(rng, year, rng.choice((3, 3, 4, 4, 5, 9, 10)))
        accepted = "否" if rng.random() < 0.12 else "是"
        if accepted == "否":
            status, reply = "未办理", None
        elif rng.random() < p.close_rate:
            status, reply = "已办结", d + dt.timedelta(days=rng.randint(10, 120))
        else:
            status, reply = rng.choice(("办理中", "办理中", "未办理")), None
        out.append(
            {
                "number": f"TA{year}-{i + 1:02d}",
                "date": d,
                "proposer": rng.choice(roster_names),
                "title": _unique_text(seen, f"关于改进{rng.choice(_PROPOSAL_TOPICS)}的建议"),
                "category": rng.choice(_PROPOSAL_CATS),
                "accepted": accepted,
                "status": status,
                "reply_date": reply,
            }
        )
    return out


def _publicity(rng, p, year, t, n_members, factor, short_name):
    n = _count(rng, 3, 30, n_members, factor, p.trend**t)
    seen: set = set()
    out = []
    for _ in range(n):
        cat = rng.choice(list(_ACT_NAMES))
        out.append(
            {
                "date": _rand_date(rng, year),
                "form": _weighted(rng, _PUB_FORMS),
                "level": _weighted(rng, _PUB_LEVELS),
                "quantity": rng.choice((1, 1, 1, 2, 3, 4, 6, 12)),
                "title": _unique_text(seen, f"{short_name}开展{rng.choice(_ACT_NAMES[cat])}"),
            }
        )
    return out


def _training(rng, p, year, t, n_members, factor):
    n = _count(rng, 2, 60, n_members, factor, p.trend**t)
    seen: set = set()
    out = []
    for _ in range(n):
        typ = _weighted(rng, _TRAIN_WEIGHTS[p.kind])
        out.append(
            {
                "date": _rand_date(rng, year),
                "name": _unique_text(seen, rng.choice(_TRAIN_NAMES[typ])),
                "type": typ,
                "hours": float(rng.choice((1.5, 2, 2, 3, 4, 4, 8, 16))),
                "participants": max(3, min(n_members, round(n_members * rng.uniform(0.1, 0.9)))),
            }
        )
    return out


def _awards(rng, p, year, t, factor):
    n = max(0, round((rng.randint(0, 3) + 1) * (p.trend**t) * factor))
    seen: set = set()
    out = []
    for _ in range(n):
        out.append(
            {
                "date": _rand_date(rng, year),
                "name": _unique_text(seen, rng.choice(_AWARD_NAMES)),
                "level": _weighted(rng, _AWARD_LEVELS),
                "recipient": rng.choice(("集体", "个人")),
                "grade": rng.choice(_GRADES),
            }
        )
    return out


def _member_records(roster: list[_Member], year: int) -> list[dict]:
    """Roster rows as known at the end of ``year`` (later departures not yet written)."""
    out = []
    for m in roster:
        left = m.leave is not None and m.leave.year <= year
        out.append(
            {
                "name": m.name,
                "gender": m.gender,
                "birth_date": m.birth,
                "join_date": m.join,
                "leave_date": m.leave if left else None,
                "status": m.status if left else None,
                "id_number": m.id_number,
                "phone": m.phone,
                "department": m.department,
            }
        )
    return out


# --------------------------------------------------------------------------
# one unit-year


def simulate_year(
    rng: Random,
    p: UnitProfile,
    sim: UnitSim,
    unit: str,
    year: int,
    t: int,
    factor: float,
    *,
    late_joiners: bool,
    n_missing: int,
    legacy_funds: bool,
    cash_gifts: bool,
) -> tuple[dict, dict]:
    """Canonical content of one unit-year: (基本信息 by column key, records by sheet key).

    ``unit`` is the name written this year, ``t`` the year's index in the
    sample, ``late_joiners`` lists next January's joiners in 会员名册,
    ``n_missing`` activities get no amount, ``legacy_funds`` adds a legacy
    income account and ``cash_gifts`` holiday/birthday care in cash.
    """
    fill_date = dt.date(year + 1, 1, rng.randint(5, 20))
    roster = _roster(sim, year, fill_date, late_joiners=late_joiners)
    active = [m for m in roster if m.join.year <= year and (m.leave is None or m.leave.year > year)]
    names = [m.name for m in active] or ["张某甲"]
    n_members = max(1, len(active))
    people = _People(Random(rng.random()))
    info = {
        "unit_name": unit,
        "year": year,
        "parent_union": p.parent,
        "employees": sim.employees[year],
        "chair": people.name(),
        "filler": people.name(),
        "fill_date": fill_date,
    }
    short = unit.replace("机关工会", "").replace("分工会", "").replace("工会", "")
    content = {
        "members": _member_records(roster, year),
        "activities": _activities(rng, p, year, t, n_members, factor, n_missing),
        "funds": _funds(rng, p, year, sim.employees[year], n_members, factor, legacy=legacy_funds),
        "care": _care(rng, p, year, names, n_members, factor, cash_gifts),
        "proposals": _proposals(rng, p, year, names, n_members, factor),
        "publicity": _publicity(rng, p, year, t, n_members, factor, short),
        "training": _training(rng, p, year, t, n_members, factor),
        "awards": _awards(rng, p, year, t, factor),
    }
    return info, content
