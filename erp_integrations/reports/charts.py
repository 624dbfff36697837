"""Charts drawn on the server as SVG: no script, no CDN, printable, readable by a screen reader
through its title and the data table every chart is shown with."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 220, 64, 28, 12
# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito).
COLOURS = {"gmv": "#0072B2", "net_sales": "#009E73", "refunds": "#D55E00", "payouts": "#CC79A7", "estimated": "#56B4E9", "actual": "#E69F00"}


def _scale(values: list[Decimal]) -> Decimal:
    top = max([abs(v) for v in values] + [Decimal(1)])
    # A round ceiling (1, 2, 5 x 10^n) so the axis reads as a person would draw it.
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return top


def daily_chart(rows: list[dict], bars: str, lines: tuple[str, ...], title: str, labels: dict[str, str]) -> Markup:
    """Bars of one series per day with the other series as lines over them."""
    if not rows:
        return Markup("")
    series = [bars, *lines]
    top = _scale([r[s] for r in rows for s in series])
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / len(rows)

    def y(value: Decimal) -> float:
        return PAD_TOP + plot_h - float(max(value, Decimal(0)) / top) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-{bars}-title" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart-{bars}-title">{escape(title)}</title>',
    ]
    for k in range(5):  # gridlines and axis labels
        value = top * k / 4
        gy = y(value)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{gy:.1f}" y2="{gy:.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end" class="axis">{value.normalize():,f}</text>')
    width = max(step * 0.7, 1)
    for i, r in enumerate(rows):
        x = PAD_LEFT + i * step + (step - width) / 2
        top_y = y(r[bars])
        parts.append(
            f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{width:.1f}" height="{PAD_TOP + plot_h - top_y:.1f}" fill="{COLOURS.get(bars, "#0072B2")}">'
            f"<title>{escape(r['day'])}: {labels[bars]} {r[bars]}</title></rect>"
        )
    for name in lines:
        points = " ".join(f"{PAD_LEFT + (i + 0.5) * step:.1f},{y(r[name]):.1f}" for i, r in enumerate(rows))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{COLOURS.get(name, "#333")}" stroke-width="2"/>')
    for i in (0, len(rows) // 2, len(rows) - 1):
        parts.append(f'<text x="{PAD_LEFT + (i + 0.5) * step:.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="axis">{escape(rows[i]["day"])}</text>')
    parts.append("</svg>")
    # Swatches drawn as SVG: the pages' content security policy allows no inline style.
    legend = "".join(
        f'<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{COLOURS.get(s, "#333")}"/></svg> {escape(labels[s])}</span>'
        for s in series
    )
    return Markup("".join(parts) + f'<p class="legend">{legend}</p>')
