"""HTML report: one self-contained file (inline CSS and script, no CDN, works offline).

A sortable, filterable table (by state, verdict and source file), a chart of verdict counts over the last
runs, every value escaped (`html.escape` with quotes; URLs in `href` only when http/https)."""

from __future__ import annotations

from html import escape
from typing import Any

from . import Report

VERDICT_COLOURS = {
    "alive": "#2e7d32", "redirected": "#66bb6a", "dead": "#c62828", "soft-404": "#ef6c00", "blocked": "#6d4c41",
    "rate-limited": "#8e24aa", "timeout": "#546e7a", "error": "#78909c", "refused": "#455a64",
    "skipped": "#bdbdbd", "unchecked": "#e0e0e0",
}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
h1{font-size:1.5rem;margin:0 0 .3rem} .summary{margin:.2rem 0 1rem;color:#444}
table{border-collapse:collapse;width:100%;margin-top:.6rem} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;
text-align:left;vertical-align:top} th{cursor:pointer;background:#f4f4f4;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" ▲"} th[aria-sort=descending]::after{content:" ▼"}
td.url{word-break:break-all;max-width:36rem} .state{font-weight:600;text-transform:uppercase;font-size:.8rem}
.rotten{color:#b71c1c}.suspect{color:#e65100}.ok{color:#2e7d32}.unknown,.refused,.skipped,.unchecked{color:#555}
.controls label{margin-right:1rem} .cites{font-size:.85rem;color:#444} svg text{font-size:11px;fill:#333}
.legend span{display:inline-block;margin-right:.8rem;font-size:.8rem}
.legend i{display:inline-block;width:.7rem;height:.7rem;margin-right:.25rem;vertical-align:middle}
"""
SCRIPT = """
(function(){
var table=document.getElementById('links'),body=table.tBodies[0],rows=[].slice.call(body.rows);
var f={state:document.getElementById('f-state'),verdict:document.getElementById('f-verdict'),
source:document.getElementById('f-source'),text:document.getElementById('f-text')};
function apply(){var s=f.state.value,v=f.verdict.value,src=f.source.value,t=f.text.value.toLowerCase(),n=0;
rows.forEach(function(r){var ok=(!s||r.dataset.state===s)&&(!v||r.dataset.verdict===v)&&
(!src||r.dataset.sources.split('\\n').indexOf(src)>=0)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
r.hidden=!ok;if(ok)n++;});document.getElementById('shown').textContent=n;}
for(var k in f){f[k].addEventListener('input',apply);}
[].forEach.call(table.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;[].forEach.call(table.tHead.rows[0].cells,
function(c){c.removeAttribute('aria-sort');});th.setAttribute('aria-sort',dir>0?'ascending':'descending');
rows.sort(function(a,b){var x=a.cells[i].dataset.key||a.cells[i].textContent,y=b.cells[i].dataset.key||
b.cells[i].textContent;return x<y?-dir:x>y?dir:0;});rows.forEach(function(r){body.appendChild(r);});});});
apply();})();
"""
STATE_ORDER = {"rotten": "0", "suspect": "1", "unknown": "2", "refused": "3", "ok": "4", "skipped": "5",
               "unchecked": "6"}


def _href(url: str) -> str:
    """An attribute value safe as a link target: only http(s) URLs become links."""
    return escape(url, quote=True) if url.lower().startswith(("http://", "https://")) else "#"


def _options(values: list[str]) -> str:
    return "".join(f'<option value="{escape(v, quote=True)}">{escape(v)}</option>' for v in values)


def _chart(history: list[dict[str, Any]]) -> str:
    if not history:
        return "<p>No checks yet: the chart of verdicts over runs appears after the first check.</p>"
    width, height, pad = 56 * len(history) + 40, 170, 20
    top = max(sum(r["verdicts"].values()) for r in history) or 1
    bars = []
    for i, run in enumerate(history):
        x, y = 30 + i * 56, height - pad
        for verdict, n in sorted(run["verdicts"].items()):
            h = (height - 2 * pad) * n / top
            y -= h
            bars.append(f'<rect x="{x}" y="{y:.1f}" width="36" height="{h:.1f}" '
                        f'fill="{VERDICT_COLOURS.get(verdict, "#999")}"><title>run {run["id"]}: '
                        f'{escape(verdict)} {n}</title></rect>')
        bars.append(f'<text x="{x}" y="{height - 4}">{escape(str(run["started_at"])[5:10])}</text>')
    legend = "".join(f'<span><i style="background:{c}"></i>{escape(v)}</span>' for v, c in VERDICT_COLOURS.items()
                     if any(v in r["verdicts"] for r in history))
    return (f'<svg role="img" aria-label="Verdicts over the last runs" width="{width}" height="{height}">'
            + "".join(bars) + f'</svg><div class="legend">{legend}</div>')


def _row(link: dict[str, Any]) -> str:
    state, verdict = link["state"], link["verdict"] or "unchecked"
    sources = sorted({c["source"] for c in link["citations"]})
    cites = "<br>".join(
        escape(f"{c['source']}:{c['line']}" + (f" [{c['label']}]" if c["label"] else "")
               + (f" accessed {c['accessed']}" if c["accessed"] else "")) for c in link["citations"])
    archive = link["archive"]
    arch = "—"
    if archive:
        arch = f'<a href="{_href(archive["url"])}">{escape(archive["date"] or "archived")}</a>'
        if archive["distance_days"] is not None:
            arch += f" ({archive['distance_days']} d)"
    final = f'<br>→ <a href="{_href(link["final_url"])}">{escape(link["final_url"])}</a>' if link["final_url"] else ""
    return (f'<tr data-state="{escape(state, quote=True)}" data-verdict="{escape(verdict, quote=True)}" '
            f'data-sources="{escape(chr(10).join(sources), quote=True)}">'
            f'<td class="state {escape(state, quote=True)}" data-key="{STATE_ORDER.get(state, "9")}">'
            f"{escape(state)}</td><td>{escape(verdict)}</td><td>{escape(str(link['http_status'] or ''))}</td>"
            f'<td class="url"><a href="{_href(link["url"])}" rel="noopener noreferrer">{escape(link["url"])}</a>'
            f"{final}</td>"
            f"<td>{escape((link['first_failed_at'] or '')[:10])}</td><td>{arch}</td>"
            f'<td class="cites">{cites}</td></tr>')


def render(report: Report) -> str:
    s = report.summary
    states = sorted({lk["state"] for lk in report.links})
    verdicts = sorted({lk["verdict"] or "unchecked" for lk in report.links})
    sources = sorted({c["source"] for lk in report.links for c in lk["citations"]})
    rows = "\n".join(_row(link) for link in report.links)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Link rot report</title><style>{CSS}</style></head><body>
<h1>Link rot report</h1>
<p class="summary"><strong>{s['links']} links</strong>: {s['alive']} alive, {s['suspect']} suspect,
{s['rotten']} rotten, {s['unknown']} unknown, {s['unchecked']} unchecked; {s['archived']} archived,
{s['not_archived']} not archived. Generated {escape(report.generated_at)}.</p>
<h2>Verdicts over the last runs</h2>
{_chart(report.history)}
<h2>Links (<span id="shown">{len(report.links)}</span> shown)</h2>
<div class="controls">
<label>State <select id="f-state"><option value="">all</option>{_options(states)}</select></label>
<label>Verdict <select id="f-verdict"><option value="">all</option>{_options(verdicts)}</select></label>
<label>Source <select id="f-source"><option value="">all</option>{_options(sources)}</select></label>
<label>Search <input id="f-text" type="search"></label>
</div>
<table id="links"><thead><tr><th>State</th><th>Verdict</th><th>HTTP</th><th>Link</th><th>Failing since</th>
<th>Archive</th><th>Cited at</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<script>{SCRIPT}</script>
</body></html>
"""
