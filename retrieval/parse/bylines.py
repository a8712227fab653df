"""Who wrote an article, from where newspapers print it: text -> Credits (reporters and contributors).

Bylines stand in a few places: a line beside the headline block (`本报记者 魏东雅`), the lead's
parenthesis (`本报讯（记者 徐鼎烨 通讯员 刘岩 徐暘洋）`, `新华社北京9月1日电（记者 张三）`), a lead that
says so (`本报讯 记者 张三 报道`), a closing parenthesis after the last sentence (`（本报记者 张三）`,
`（记者 张三）（完）`), and a photo's credit (`魏东雅 乔璐洋 摄`). Reporters (记者, 评论员, 摄影) write
the piece; contributors (通讯员, 实习生) help. The text in the parenthesis must be nothing but roles and
names — a sentence that happens to open with 记者 is never read as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Roles as printed, longest first so that 本报记者 is not read as 本报 + 记者.
REPORTER_ROLES = ("本报特约记者", "本报见习记者", "本报记者", "特约记者", "见习记者", "实习记者", "首席记者")
REPORTER_ROLES += ("新华社记者", "本报评论员", "评论员", "记者", "文/图", "文／图", "文/", "文／", "图/")
CONTRIBUTOR_ROLES = ("本报通讯员", "特约通讯员", "通讯员", "实习生")
# A citation names contributors by what they do: the paper's own and guest correspondents alike are 通讯员.
_CONTRIBUTOR_SHOWN = {"本报通讯员": "通讯员", "特约通讯员": "通讯员"}
_ROLES = sorted(REPORTER_ROLES + CONTRIBUTOR_ROLES, key=len, reverse=True)
# Reporters by their desk or medium (融媒记者, 全媒体记者, 视频记者, 摄影记者): a reporter all the same.
_DESK_REPORTER = r"(?:本报|本刊)?(?:首席|融媒体?|全媒体|见习|实习|特约|摄影|视频)+记者"
_ROLE = re.compile(_DESK_REPORTER + "|" + "|".join(re.escape(r) for r in _ROLES))
# What may stand before the first role: a bullet (■本报记者 …) or the outlet the reporter writes for
# (大河报·豫视频记者 …, 成都日报锦观新闻记者 …).
BULLETS = "■□●◆▲★▶►◎"
_BULLET = re.compile(rf"^[{BULLETS}]\s*")
_OUTLET = re.compile(
    r"^(?=[^\s]*?(?:报|网|台|社|新闻|端))[\u4e00-\u9fff·]{2,12}?(?=(?:" + _DESK_REPORTER + r"|记者))"
)
# Words after the names that say what they did (…沈佳怡 文/图, 张三 报道, 济南报道): not names.
_DID = re.compile(r"\s*(?:文[/／]图|[\u4e00-\u9fff]{0,4}报道|摄)$")  # …赵一涵 济南报道: where it was filed
# 文/ and 图/ before a role (文/本报记者 钱俊逸 图/通讯员 陆一帆) say who wrote and who shot the photos.
_WHAT_BEFORE_ROLE = re.compile(
    r"(?:^|\s)[文图][/／](?=" + _DESK_REPORTER + r"|(?:本报|特约)?(?:记者|通讯员|实习生))"
)
CONTRIBUTOR_ROLE = re.compile("|".join(re.escape(r) for r in CONTRIBUTOR_ROLES))
# Commentary is signed by a role, not a name.
SIGNED_BY_ROLE = ("本报评论员", "评论员", "特约评论员")
MAX_NAME_CHARS = 4  # a Chinese name (surname and given name); longer unspaced runs are several names
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,4}")
_PEN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
# Where a lead prints its byline: a dispatch opener then a parenthesis, or `记者 … 报道` after 本报讯.
_DISPATCH = r"(?:本报[^，。（(\s]{0,8}讯(?!员)|据?新华社[^，。（(]{0,16}电|[^，。（(\s]{1,8}(?:讯|电)(?!员))"
LEAD_PAREN = re.compile(rf"^{_DISPATCH}\s*[（(]([^（）()]{{2,60}})[）)]")
LEAD_REPORT = re.compile(rf"^{_DISPATCH}\s*((?:{_ROLE.pattern})[^，。（）()]{{2,40}}?)\s*报道")
# Roles and names after the opener with neither parenthesis nor 报道, up to the date the text opens with
# (本报讯 记者 李泽楷 通讯员 莞工商 7月9日，…).
LEAD_NAMES = re.compile(
    rf"^{_DISPATCH}\s+((?:(?:{_ROLE.pattern})\s*[\u4e00-\u9fff]{{2,4}}(?:\s+[\u4e00-\u9fff]{{2,4}})*\s*)+)(?=\d)"
)
# A closing byline follows the last sentence (…发展。（记者 张三）) or stands on its own line.
CLOSING = re.compile(r"(?:^|(?<=[。！？!?”’」]))[（(]([^（）()]{2,60})[）)]\s*(?:[（(]完[）)])?$")
# Common surnames: where an unspaced run of names (刘岩徐暘洋, from letter-spaced print) splits.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝"
)


@dataclass(frozen=True)
class Credits:
    """The people an article names as its authors: reporters and contributors, as printed."""

    reporters: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    reporter_role: str = "记者"
    contributor_roles: tuple[str, ...] = ()  # each contributor's role when it is not 通讯员 (实习生)

    def __bool__(self) -> bool:
        return bool(self.reporters or self.contributors)

    @property
    def byline(self) -> str | None:
        """The reporters as a citation shows them (`记者 徐鼎烨 魏东雅`)."""
        if not self.reporters:
            return None
        return " ".join((self.reporter_role, *self.reporters) if self.reporter_role else self.reporters)

    @property
    def contributor_line(self) -> str | None:
        """The contributors as a citation shows them (`通讯员 刘岩 徐暘洋`)."""
        if not self.contributors:
            return None
        roles = self.contributor_roles or ("通讯员",) * len(self.contributors)
        parts: list[str] = []
        for i, (role, name) in enumerate(zip(roles, self.contributors, strict=False)):
            parts += [role, name] if i == 0 or roles[i - 1] != role else [name]
        return " ".join(parts)


def split_names(run: str, *, spaced: bool = True) -> list[str] | None:
    """Split a run of names into names: spaced names as they stand, an unspaced run of more than
    MAX_NAME_CHARS at surnames (刘岩徐暘洋 -> 刘岩, 徐暘洋); None when the run is not names.

    A name printed tight against its role (`记者张三`, not `记者 张三`) must open with a surname: running
    words after 记者 (`记者近日走访`) are not one.
    """
    names: list[str] = []
    for part in re.split(r"[\s、，,]+", run.strip()):
        if not part:
            continue
        if len(part) > MAX_NAME_CHARS or not spaced or len(part) == MAX_NAME_CHARS:
            # Body text loses the spaces between names (张华 李明 -> 张华李明): four characters that are
            # two surname-led names are two people, a run that is not names is no byline.
            cut = _unspaced(part) if len(part) != MAX_NAME_CHARS or not spaced else _unspaced(part) or [part]
            if cut is None:
                return None
            names.extend(cut)
        elif _NAME.fullmatch(part):
            names.append(part)
        else:
            return None
    return names or None


def _unspaced(run: str) -> list[str] | None:
    """Cut an unspaced run into names of 2-3 characters, each opening with a surname, or None."""
    if not run:
        return []
    if run[0] not in SURNAMES or not re.fullmatch(r"[\u4e00-\u9fff]+", run):
        return None
    for size in (3, 2):
        if len(run) >= size and (rest := _unspaced(run[size:])) is not None:
            return [run[:size], *rest]
    return None


def read_credits(text: str) -> Credits | None:
    """Read roles and names (`记者 徐鼎烨 通讯员 刘岩 徐暘洋`): None unless the text is nothing else."""
    text = _DID.sub("", _BULLET.sub("", text.strip()))
    if text in SIGNED_BY_ROLE:
        return Credits((text,), (), "")
    if not _ROLE.match(text) and (outlet := _OUTLET.match(text)):
        text = text[outlet.end() :]
    text = _WHAT_BEFORE_ROLE.sub(" ", text).strip()
    roles = list(_ROLE.finditer(text))
    if not roles or roles[0].start() != 0:
        return None
    reporters: list[str] = []
    contributors: list[str] = []
    contributor_roles: list[str] = []
    reporter_role = ""
    for i, role in enumerate(roles):
        end = roles[i + 1].start() if i + 1 < len(roles) else len(text)
        run = text[role.end() : end]
        if role[0] in SIGNED_BY_ROLE:
            return None  # 评论员文章 is a label: commentary is signed by the role alone
        names = split_names(run.strip("/／ "), spaced=run[:1].isspace() or role[0].endswith(("/", "／")))
        if names is None and role[0] in CONTRIBUTOR_ROLES and _PEN_NAME.fullmatch(run.strip()):
            names = [run.strip()]  # a desk's pen name printed tight (通讯员泉关宣)
        if names is None:
            return None
        if role[0] in CONTRIBUTOR_ROLES:
            contributors += names
            contributor_roles += [_CONTRIBUTOR_SHOWN.get(role[0], role[0])] * len(names)
        else:
            reporters += names
            reporter_role = reporter_role or role[0].rstrip("/／")
    role_shown = "记者" if reporter_role in ("文/图", "文／图", "文", "图") else reporter_role
    roles = tuple(contributor_roles) if set(contributor_roles) - {"通讯员"} else ()
    return Credits(tuple(reporters), tuple(contributors), role_shown or "记者", roles)


def lead_credits(text: str) -> Credits | None:
    """Read the byline an article's first paragraph prints in its lead, or None."""
    m = LEAD_PAREN.match(text) or LEAD_REPORT.match(text) or LEAD_NAMES.match(text)
    return read_credits(m[1]) if m else None


def closing_credits(text: str) -> Credits | None:
    """Read the byline an article's last paragraph prints after its last sentence (`（记者 张三）`)."""
    m = CLOSING.search(text)
    return read_credits(m[1]) if m else None


def opens_brief(text: str) -> bool:
    """Tell whether a text opens with a bullet (■…, ●…): a column's brief, as an indent opens a paragraph."""
    return text[:1] in BULLETS
