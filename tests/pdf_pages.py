"""E-paper pages for the tests, drawn with reportlab in a newspaper's layout: a header and folio, articles
with a kicker, a large main title and a subtitle over two or three columns of body type, a byline, a
photo with its caption in small type; and a scan (an image, no text layer) and a damaged file."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
WIDTH, HEIGHT = 595.0, 842.0
MARGIN = 40.0
GUTTER = 14.0
BODY = 9.0
LEADING = 13.0
SUBHEAD = 11.0


@dataclass(frozen=True)
class Story:
    """An article as the page prints it: headline block, byline and paragraphs."""

    title: str
    paragraphs: tuple[str, ...]
    kicker: str = ""
    subtitle: str = ""
    byline: str = ""


@dataclass(frozen=True)
class Photo:
    """A photo with its caption in small type under it."""

    caption: str
    height: float = 90.0


@dataclass
class Module:
    """A rectangle of the page holding one story (columns of body under its headline), or a photo."""

    x: float
    y: float  # top, from the page top
    width: float
    columns: int = 1
    story: Story | None = None
    photo: Photo | None = None
    height: float = 0.0  # the body's height: columns are filled to it, then the text flows on
    title_size: float = 22.0
    extra: dict[str, float] = field(default_factory=dict)


def _wrap(text: str, width: float, size: float, indent: float) -> list[tuple[str, float]]:
    """Break text into lines of at most ``width`` points; the first line indented."""
    lines: list[tuple[str, float]] = []
    line, room, offset = "", width - indent, indent
    for ch in text:
        w = pdfmetrics.stringWidth(ch, FONT, size)
        if pdfmetrics.stringWidth(line, FONT, size) + w > room:
            lines.append((line, offset))
            line, room, offset = "", width, 0.0
        line += ch
    if line:
        lines.append((line, offset))
    return lines


def _text(c: Canvas, x: float, top: float, text: str, size: float) -> None:
    c.setFont(FONT, size)
    c.drawString(x, HEIGHT - top - size, text)


def _headline(c: Canvas, m: Module, story: Story) -> float:
    """Draw the headline block and byline; return the top of the body under them."""
    y = m.y
    if story.kicker:
        _text(c, m.x, y, story.kicker, 12)
        y += 17
    _text(c, m.x, y, story.title, m.title_size)
    y += m.title_size + 6
    if story.subtitle:
        _text(c, m.x, y, story.subtitle, 12)
        y += 17
    if story.byline:
        _text(c, m.x, y + 2, story.byline, BODY)
        y += LEADING + 2
    return y + 8


def _body(c: Canvas, m: Module, story: Story, top: float) -> None:
    """Flow the paragraphs down the columns; a paragraph starting with # is a subhead in larger type."""
    col_width = (m.width - GUTTER * (m.columns - 1)) / m.columns
    rows = int(m.height // LEADING)
    lines = [
        (*ln, SUBHEAD if p.startswith("#") else BODY)
        for p in story.paragraphs
        for ln in (
            _wrap(p[1:], col_width, SUBHEAD, 0) if p.startswith("#") else _wrap(p, col_width, BODY, 2 * BODY)
        )
    ]
    for i, (line, offset, size) in enumerate(lines):
        col, row = divmod(i, rows)
        if col >= m.columns:
            raise ValueError(f"{story.title}: the body does not fit its {m.columns} columns")
        _text(c, m.x + col * (col_width + GUTTER) + offset, top + row * LEADING, line, size)


def _photo(c: Canvas, m: Module, photo: Photo) -> None:
    image = Image.new("RGB", (40, 30), (120, 140, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    c.drawImage(ImageReader(buffer), m.x, HEIGHT - m.y - photo.height, m.width, photo.height)
    top = m.y + photo.height + 4
    for i, (line, _) in enumerate(_wrap(photo.caption, m.width, 7.5, 0)):
        _text(c, m.x, top + i * 10, line, 7.5)


def draw_page(
    path: Path,
    modules: list[Module],
    *,
    header: tuple[str, str] = ("第5版 经济", "2021年9月3日 星期五"),
    footer: str = "责任编辑：王敏 校对：李华",
    info: dict[str, str] | None = None,
) -> Path:
    """Draw one e-paper page of the given modules to ``path``."""
    c = Canvas(str(path), pagesize=(WIDTH, HEIGHT), invariant=True)
    for key, value in (info or {}).items():
        getattr(c, f"set{key}")(value)
    if header:
        _text(c, MARGIN, 22, header[0], 8)
        _text(c, WIDTH - MARGIN - pdfmetrics.stringWidth(header[1], FONT, 8), 22, header[1], 8)
        c.line(MARGIN, HEIGHT - 36, WIDTH - MARGIN, HEIGHT - 36)
    for m in modules:
        if m.photo is not None:
            _photo(c, m, m.photo)
        if m.story is not None:
            _body(c, m, m.story, _headline(c, m, m.story))
    if footer:
        _text(c, MARGIN, HEIGHT - 30, footer, 7.5)
    c.showPage()
    c.save()
    return path


def draw_scan(path: Path) -> Path:
    """A scanned page: one image, no text layer."""
    c = Canvas(str(path), pagesize=(WIDTH, HEIGHT), invariant=True)
    image = Image.new("L", (200, 280), 230)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    c.drawImage(ImageReader(buffer), 0, 0, WIDTH, HEIGHT)
    c.showPage()
    c.save()
    return path


def draw_damaged(path: Path, good: Path) -> Path:
    """A PDF cut off half-way, as an interrupted download leaves it, with its middle overwritten."""
    data = bytearray(good.read_bytes())
    half = len(data) // 2
    data[200:half] = b"\0" * (half - 200)
    path.write_bytes(bytes(data[:half]))
    return path


TRAINING = Story(
    kicker="服务民营经济高质量发展",
    title="许昌市工商联举办商会会长培训班",
    subtitle="——一百余名商会负责人参加学习",
    byline="本报记者 徐鼎烨 通讯员 刘岩",
    paragraphs=(
        "本报讯 9月1日，许昌市工商联在许昌学院举办全市商会会长培训班，来自各县（市、区）的一百余名商会"
        "负责人参加培训。培训为期三天，邀请省内外专家授课。",
        "培训班围绕商会党建、商会治理和服务会员企业等内容展开。市工商联主席在开班式上说，商会要当好"
        "政府和企业之间的桥梁纽带，帮助会员企业解决融资难、用工难等实际问题。",
        "学员们表示，这次培训内容实在，对做好商会工作很有帮助。下一步，市工商联还将分批组织商会秘书长"
        "培训，推动全市商会规范化建设。",
    ),
)
FAIR = Story(
    title="禹州市钧瓷商会助力企业开拓市场",
    paragraphs=(
        "本报讯（记者 魏东雅）近日，禹州市钧瓷商会组织二十多家会员企业赴郑州参加中原文化产业博览会，"
        "现场签约金额达三千余万元。",
        "商会负责人介绍，今年以来商会先后组织会员企业参加展会六次，帮助企业对接销售渠道，钧瓷产品订单"
        "同比增长三成。",
    ),
)
CAPTION = "禹州市钧瓷商会会员企业在博览会上展示产品。 魏东雅 摄"


def front_page(path: Path, **kwargs: object) -> Path:
    """A page of two articles: one over three columns, one over two beside a captioned photo."""
    modules = [
        Module(MARGIN, 50, WIDTH - 2 * MARGIN, columns=3, story=TRAINING, height=90),
        Module(MARGIN, 290, 340, columns=2, story=FAIR, height=80, title_size=18),
        Module(400, 290, WIDTH - MARGIN - 400, photo=Photo(CAPTION)),
    ]
    return draw_page(path, modules, **kwargs)  # type: ignore[arg-type]
