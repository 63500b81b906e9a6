#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sequence diagrams of the NMR, drawn as SVG from its trace events (tracefs text).

    seqdiag.py demo OUTDIR             make demo's steps: OUTDIR/data.log (scripts/guest/demo.sh)
                                       to OUTDIR/step-NN.svg, one per step, and OUTDIR/index.html
    seqdiag.py timelines DATA_LOG DIR  make timelines: the five reference timelines of
                                       docs/rules.md (scripts/guest/timelines.sh) to DIR/t-a.svg ...
    seqdiag.py trace FILE OUT.svg [TITLE]   any nmr trace (the text of tracefs' trace file)
    seqdiag.py --self-test             made-up traces through every path; exit 0 if all is well

The lanes: the clients on the left, the NMR in the middle, the providers on the right, one
lane per registration; on the far left the time of each event and the thread that hit it
(with "softirq" or "hardirq" when it ran there). Each nmr trace event (EXT-2) is one arrow:
calls into the NMR and callbacks out of it solid, a callback's return dashed. A side whose
detach returned -EINPROGRESS is an orange span from that return to its *_detach_complete();
a registration between its deregistration and the return of its wait, a grey band. The
samples' own kernel log lines (the printk:console event, in the trace's own order) are notes
on their module's lane. Times come from the trace's clock: seconds, or a counter (x86-tsc)
scaled by the "uptime=" marks the guest scripts write into the trace.

Python 3 standard library only: Graphviz cannot draw spans, and mscgen is not on the machine.
"""
import html
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

# ---- the trace ------------------------------------------------------------------------------

# "  rmmod-123  [001] d.s1.  123.456789: nmr_detach: binding=3 side=provider result=-115"
LINE = re.compile(r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+(?:\(\s*[-\d]*\)\s+)?\[(?P<cpu>\d+)\]\s+"
                  r"(?P<flags>\S+)\s+(?P<ts>\d+(?:\.\d+)?):\s+(?P<name>\w+):\s?(?P<msg>.*)$")
FIELD = re.compile(r"(\w+)=(\S+)")
UPTIME = re.compile(r"\buptime=(\d+(?:\.\d+)?)")
# The samples' GUIDs by name, as make demo shows them (scripts/guest/demo.sh).
NAMES = ((re.compile(r"5eedc0de-0001-4e4d-9200-686f6f6b0000"), "{hook}"),
         (re.compile(r"5eedc0de-0002-4e4d-9200-726f75746500"), "{route}"),
         (re.compile(r"5eedc0de-00ff-4e4d-9200-0000000000([0-9a-f]{2})"), r"{sample-\1}"))
ERRNO = {0: "0", -115: "-EINPROGRESS", -22: "-EINVAL", -9: "-EBADF", -19: "-ENODEV",
         -12: "-ENOMEM", -5: "-EIO", -35: "-EDEADLK", -16: "-EBUSY", -1: "-EPERM"}
# The callbacks and calls of each side (the contract's names).
DETACH_CB = {"client": "detach_provider", "provider": "detach_client"}
COMPLETE = {"client": "nmr_client_detach_provider_complete()",
            "provider": "nmr_provider_detach_client_complete()"}


def errname(v):
    return ERRNO.get(v, str(v))


def named(s):
    for pat, rep in NAMES:
        s = pat.sub(rep, s)
    return s


class Event:
    """One line of the trace."""

    def __init__(self, m):
        self.task, self.pid, self.cpu = m["task"].strip(), int(m["pid"]), int(m["cpu"])
        self.flags, self.raw, self.name, self.msg = m["flags"], m["ts"], m["name"], m["msg"]
        self.ts = float(self.raw)
        self.f = dict(FIELD.findall(self.msg))
        first = self.msg.split(" ", 1)[0]
        self.role = first if first in ("client", "provider") else self.f.get("side")
        self.t = None           # seconds, set by Clock

    def num(self, key):
        return int(self.f[key])

    @property
    def thread(self):
        return f"{self.task}-{self.pid}"

    @property
    def context(self):
        """softirq, hardirq or NMI when the event was hit there (the flags' third place)."""
        c = self.flags[2] if len(self.flags) > 2 else "."
        return {"s": "softirq", "h": "hardirq", "H": "hardirq", "z": "NMI", "Z": "NMI"}.get(c, "")


def parse(lines):
    out = []
    for line in lines:
        m = LINE.match(line.rstrip("\r\n"))
        if m:
            out.append(Event(m))
    return out


class Clock:
    """Seconds from the trace's timestamps: as they are, or a counter fitted to uptime marks.

    The guest's uptime counts jiffies, and under TCG they do not keep one pace against the
    TSC (the host's): from 2.7 to 4.6 G ticks a guest second over one make demo. So a part of
    the trace is scaled by its own marks when they span half a second or more (what the
    modules measure there, in jiffies, then agrees with the picture), else by the fallback's.
    """

    def __init__(self, events, fallback=None):
        self.scale = 1.0
        self.scaled = True
        if any("." in e.raw for e in events):
            return
        pts = [(e.ts, float(m.group(1))) for e in events
               if e.name == "tracing_mark_write" for m in [UPTIME.search(e.msg)] if m]
        if len(pts) >= 2 and pts[-1][1] - pts[0][1] >= (0.5 if fallback else 0.01):
            n = len(pts)
            mx, my = sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
            sxx = sum((p[0] - mx) ** 2 for p in pts)
            sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
            if sxx > 0 and sxy > 0:
                self.scale = sxy / sxx
                return
        if fallback:
            self.scale, self.scaled = fallback.scale, fallback.scaled
        else:
            self.scaled = False     # a counter and nothing to scale it with: shown as is

    def apply(self, events):
        for e in events:
            e.t = e.ts * self.scale if self.scaled else None
        return events


# ---- who is who -----------------------------------------------------------------------------

class Reg:
    def __init__(self, rid, role, owner, label):
        self.id, self.role, self.owner, self.label = rid, role, owner, label
        self.gone = False


class World:
    """The registrations and bindings seen so far (a demo's steps share one)."""

    def __init__(self, letters=False):
        self.letters = letters      # KUnit: C, C2, P, P2 in order of registration
        self.regs, self.bindings, self.count = {}, {}, {"client": 0, "provider": 0}

    def reg(self, rid, role=None):
        r = self.regs.get(rid)
        if r is None:   # registered before the trace began
            role = role or "provider"
            r = self.regs[rid] = Reg(rid, role, "?", "(before the trace)")
        return r

    def see(self, e):
        if e.name == "nmr_register":
            rid, role = e.num("id"), e.role
            self.count[role] += 1
            if self.letters:
                n = self.count[role]
                label = role[0].upper() + (str(n) if n > 1 else "")
            else:
                label = e.f.get("owner", "?")
            self.regs[rid] = Reg(rid, role, e.f.get("owner", "?"), label)
        elif e.name in ("nmr_offer", "nmr_attach", "nmr_cleanup"):
            self.bindings[e.num("binding")] = (e.num("client"), e.num("provider"))
        elif e.name == "nmr_wait_done":
            self.reg(e.num("id"), e.role).gone = True

    def side(self, e):
        """The registration of a binding's side (detach events name only the binding)."""
        b = self.bindings.get(e.num("binding"))
        if not b:
            return None
        return self.reg(b[0] if e.role == "client" else b[1], e.role)

    def owner_reg(self, owner):
        """The registration a module's log line belongs to: its live one, else its last."""
        mine = [r for r in self.regs.values() if r.owner == owner]
        live = [r for r in mine if not r.gone]
        return (live or mine or [None])[-1]


# ---- rows -----------------------------------------------------------------------------------

NMR = "nmr"


class Row:
    def __init__(self, kind, e, **kw):
        self.kind, self.e = kind, e     # arrow, bind, fan, note, gap
        self.src = self.dst = None
        self.label, self.style, self.color, self.lane, self.lines = "", "call", "#212529", None, []
        self.arrows = []                # fan: (dst, label)
        self.dt = 0.0
        self.__dict__.update(kw)


class Span:
    """A bar on a lane, from row start to row end (None: past the last row)."""

    def __init__(self, kind, lane, start):
        self.kind, self.lane, self.start, self.end = kind, lane, start, None


BLUE, GREEN, RED, ORANGE = "#1c5d99", "#2b8a3e", "#c92a2a", "#d9480f"
PURPLE, GREY = "#5f3dc4", "#495057"


def rows_of(events, world, gap_s=0.02):
    """Turn one diagram's events into rows and spans; world is updated as they go."""
    rows, spans, open_spans, early = [], [], {}, set()
    last_t = None
    # A binding's two registrations, from any event that names them: a trace that begins
    # after an offer still puts each detach on its lane.
    for e in events:
        if e.name in ("nmr_offer", "nmr_attach", "nmr_cleanup"):
            world.bindings.setdefault(e.num("binding"), (e.num("client"), e.num("provider")))

    def add(row):
        nonlocal last_t
        if row.kind == "arrow" and row.src == row.dst:     # a lane not known: say it
            row = Row("note", row.e, lane=row.src, lines=wrap(row.label, 46))
        if last_t is not None and row.e.t is not None and row.e.t - last_t >= gap_s:
            rows.append(Row("gap", row.e, dt=row.e.t - last_t))
        last_t = row.e.t
        rows.append(row)
        return len(rows) - 1

    def open_span(key, kind, lane, at):
        s = Span(kind, lane, at)
        open_spans[key] = s
        spans.append(s)

    def close_span(key, at):
        s = open_spans.pop(key, None)
        if s:
            s.end = at
        return s

    for e in events:
        if e.name == "console":
            text = e.msg.strip()
            m = re.match(r"(nmr\w*): (.*)", text)
            if not m:
                continue
            mod, what = m.group(1), named(m.group(2))
            lane = NMR if mod == "nmr" else world.owner_reg(mod)
            lane = lane.id if isinstance(lane, Reg) else (lane or "mod:" + mod)
            add(Row("note", e, lane=lane, lines=wrap(what, 46)))
            continue
        if not e.name.startswith("nmr_"):
            continue
        world.see(e)
        n = e.name
        if n == "nmr_register":
            add(Row("arrow", e, src=e.num("id"), dst=NMR, color=BLUE,
                    label=f"nmr_register_{e.role}()"))
        elif n == "nmr_deregister":
            rid = e.num("id")
            i = add(Row("arrow", e, src=rid, dst=NMR, color=BLUE,
                        label=f"nmr_deregister_{e.role}()"))
            open_span(("reg", rid), "dereg", rid, i)
        elif n == "nmr_wait_done":
            rid = e.num("id")
            i = add(Row("arrow", e, src=NMR, dst=rid, style="return", color=BLUE,
                        label="its wait returns 0"))
            close_span(("reg", rid), i)
        elif n == "nmr_offer":
            i = add(Row("arrow", e, src=NMR, dst=e.num("client"),
                        label=f"offer binding {e.f['binding']}: attach_provider()"))
            open_span(("offer", e.num("binding")), "offer", e.num("client"), i)
        elif n == "nmr_attach":
            r = e.num("result")
            if r == 0:
                i = add(Row("bind", e, src=e.num("client"), dst=e.num("provider"), color=GREEN,
                            label=f"binding {e.f['binding']} attached"))
            else:
                i = add(Row("arrow", e, src=e.num("client"), dst=NMR, style="return", color=RED,
                            label=f"binding {e.f['binding']} not attached: {errname(r)}"))
            close_span(("offer", e.num("binding")), i)
        elif n == "nmr_detach_start":
            r = world.side(e)
            add(Row("arrow", e, src=NMR, dst=r.id if r else NMR,
                    label=f"detach binding {e.f['binding']}: {DETACH_CB[e.role]}()"))
        elif n == "nmr_detach":
            r, res, b = world.side(e), e.num("result"), e.num("binding")
            lane = r.id if r else NMR
            key = ("pend", b, e.role)
            if res == -115 and key in early:
                label = f"{DETACH_CB[e.role]}() returned -EINPROGRESS: completed early, done"
            elif res == -115:
                label = f"{DETACH_CB[e.role]}() returned -EINPROGRESS: pending"
            elif res == 0:
                label = f"{DETACH_CB[e.role]}() returned 0"
            else:
                label = f"{DETACH_CB[e.role]}() returned {errname(res)}: counts as 0"
            i = add(Row("arrow", e, src=lane, dst=NMR, style="return",
                        color=ORANGE if res == -115 else "#212529", label=label))
            if res == -115 and key not in early:
                open_span(key, "pending", lane, i)
        elif n == "nmr_detach_complete":
            r, res, b = world.side(e), e.num("result"), e.num("binding")
            key = ("pend", b, e.role)
            label = f"{COMPLETE[e.role]} = {errname(res)}"
            if res == 0 and key not in open_spans:
                early.add(key)
                label += ": early, before its detach"
            i = add(Row("arrow", e, src=r.id if r else NMR, dst=NMR,
                        color=ORANGE if res == 0 else RED, label=label))
            if res == 0:
                close_span(key, i)
        elif n == "nmr_cleanup":
            b = e.f["binding"]
            add(Row("fan", e, src=NMR, color=PURPLE,
                    arrows=[(e.num("client"), f"1. cleanup binding {b}"),
                            (e.num("provider"), f"2. cleanup binding {b}")]))
        else:   # an event this script does not know yet: still shown
            add(Row("note", e, lane=NMR, lines=wrap(f"{n}: {e.msg}", 46)))
    return rows, spans


def wrap(text, width):
    lines, cur = [], ""
    for word in text.split():
        while len(word) > width:
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:width])
            word = word[width:]
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur or not lines:
        lines.append(cur)
    return lines


# ---- drawing --------------------------------------------------------------------------------

FS = 11                 # font size of labels (monospace)
CW = FS * 0.602         # its advance width: DejaVu Sans Mono, Menlo and Courier are 0.6 em
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
SANS = "DejaVu Sans, Verdana, Arial, sans-serif"
THREAD_COLORS = ("#1864ab", "#087f5b", "#862e9c", "#a61e4d", "#5c940d", "#c2255c", "#364fc7",
                 "#e8590c")


def tw(s):
    return len(s) * CW


def esc(s):
    return html.escape(str(s), quote=True)


class Svg:
    def __init__(self):
        self.parts = []

    def add(self, s):
        self.parts.append(s)

    def text(self, x, y, s, size=FS, anchor="start", color="#212529", font=MONO, weight=None,
             halo=False, extra=""):
        w = f' font-weight="{weight}"' if weight else ""
        h = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' \
            if halo else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-family="{font}" font-size="{size}" '
                 f'text-anchor="{anchor}" fill="{color}"{w}{h}{extra}>{esc(s)}</text>')

    def line(self, x1, y1, x2, y2, color, width=1.0, dash=None):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                 f'stroke="{color}" stroke-width="{width}"{d}/>')

    def rect(self, x, y, w, h, fill, stroke="none", width=1.0, dash=None, rx=0, extra=""):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" '
                 f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{d}{extra}/>')

    def head(self, x, y, direction, color, filled=True):
        """An arrowhead whose tip is at (x, y), pointing right (1) or left (-1)."""
        bx = x - direction * 9
        if filled:
            self.add(f'<polygon points="{x:.1f},{y:.1f} {bx:.1f},{y - 4:.1f} {bx:.1f},{y + 4:.1f}" '
                     f'fill="{color}"/>')
        else:
            self.add(f'<polyline points="{bx:.1f},{y - 4:.1f} {x:.1f},{y:.1f} '
                     f'{bx:.1f},{y + 4:.1f}" fill="none" stroke="{color}" stroke-width="1.2"/>')


def lane_order(rows, world):
    """Lanes used by the rows: clients (the first nearest the NMR), the NMR, providers."""
    seen, calls = [], set()

    def use(k, call=True):
        if k is not None and k not in seen:
            seen.append(k)
        if call:
            calls.add(k)
    for r in rows:
        if r.kind == "fan":
            use(r.src)
            for d, _ in r.arrows:
                use(d)
        elif r.kind == "note":
            use(r.lane, False)
        elif r.kind != "gap":
            use(r.src)
            use(r.dst)
    use(NMR)
    # Lanes with arrows nearest the NMR, lanes with notes only further out.
    seen.sort(key=lambda k: k not in calls)

    def role(k):
        if k == NMR:
            return None
        if isinstance(k, str):      # a module's log lines and no registration of it known
            return "provider"
        return world.reg(k).role
    clients = [k for k in seen if role(k) == "client"]
    providers = [k for k in seen if role(k) == "provider"]
    return list(reversed(clients)) + [NMR] + providers


def header_lines(k, world):
    if k == NMR:
        return ["NMR", "nmr.ko"]
    if isinstance(k, str):
        return ["module", k[4:]]
    r = world.reg(k)
    if world.letters:
        return [f"{r.role} {r.label}", f"id {r.id}"]
    return [r.role, r.label, f"id {r.id}"]


def render(rows, spans, world, title, subtitle=(), empty_note=None):
    lanes = lane_order(rows, world)
    idx = {k: i for i, k in enumerate(lanes)}
    heads = [header_lines(k, world) for k in lanes]
    hw = [max(tw(s) for s in h) + 20 for h in heads]
    note_w = [0.0] * len(lanes)
    for r in rows:
        if r.kind == "note":
            note_w[idx[r.lane]] = max(note_w[idx[r.lane]], max(tw(s) for s in r.lines) + 14)

    # Horizontal: gaps between neighbouring lanes, widened until every label fits.
    gaps = [max(140.0, (hw[i] + hw[i + 1]) / 2 + 16) for i in range(len(lanes) - 1)]
    need = []
    for r in rows:
        pairs = []
        if r.kind in ("arrow", "bind") and r.src != r.dst:
            pairs.append((r.src, r.dst, r.label))
        elif r.kind == "fan":
            pairs += [(r.src, d, lab) for d, lab in r.arrows]
        for a, b, lab in pairs:
            i, j = sorted((idx[a], idx[b]))
            need.append((j - i, i, j, tw(lab) + 34))
    for _, i, j, w in sorted(need):
        have = sum(gaps[i:j])
        if have < w:
            for g in range(i, j):
                gaps[g] += (w - have) / (j - i)

    t0 = rows[0].e.t if rows else None
    times = [fmt_t(None if t0 is None or r.kind == "gap" else r.e.t - t0) for r in rows]
    threads = [thread_label(r.e) if r.kind != "gap" else "" for r in rows]
    margin = 16
    time_w = max([tw(s) for s in times] + [tw("time"), tw("+0.000 ms")])
    thread_w = max([tw(s) for s in threads] + [tw("thread")])
    left = margin + time_w + 14 + thread_w + 18
    xs, x = [], left + max(hw[0] / 2, note_w[0] / 2, 24) if lanes else left
    for i in range(len(lanes)):
        xs.append(x)
        if i < len(gaps):
            x += gaps[i]
    shift = max([0.0] + [left - (xs[i] - note_w[i] / 2) for i in range(len(lanes))])
    xs = [v + shift for v in xs]
    right = max(xs[i] + max(hw[i] / 2, note_w[i] / 2, 24) for i in range(len(lanes))) + margin
    # Sans-serif text: about 0.62 em a character in bold at 15 px, 0.55 em at 11.5 px.
    width = max(right, 2 * margin + len(title) * 15 * 0.62,
                2 * margin + max([len(s) for s in subtitle] + [0]) * 11.5 * 0.55, 360)
    x_of = {k: xs[i] for i, k in enumerate(lanes)}

    # Vertical: title, lane headers, rows, legend.
    y = margin + 18
    svg = Svg()
    body = Svg()
    body.text(margin, y, title, size=15, font=SANS, weight="bold")
    for s in subtitle:
        y += 16
        body.text(margin, y, s, size=11.5, font=SANS, color=GREY)
    y += 16
    head_top = y
    head_h = 14 * max(len(h) for h in heads) + 10
    for i, k in enumerate(lanes):
        fill = {"client": "#e7f5ff", "provider": "#fff4e6"}.get(
            None if k == NMR or isinstance(k, str) else world.reg(k).role, "#f1f3f5")
        body.rect(xs[i] - hw[i] / 2, head_top, hw[i], head_h, fill, "#868e96", rx=4)
        for j, s in enumerate(heads[i]):
            body.text(xs[i], head_top + 16 + 14 * j, s, anchor="middle",
                      weight="bold" if j == 0 else None)
    body.text(margin + time_w, head_top + head_h - 6, "time", anchor="end", color=GREY)
    body.text(margin + time_w + 14, head_top + head_h - 6, "thread", color=GREY)
    y = head_top + head_h + 8
    ys = []
    for r in rows:
        h = {"note": 14 * len(r.lines) + 12, "gap": 22}.get(r.kind, 30)
        ys.append((y, h))
        y += h
    if not rows:
        y += 30
    bottom = y + 8

    # Lifelines, then spans, then rows (notes cover what runs behind them).
    for i, k in enumerate(lanes):
        body.line(xs[i], head_top + head_h, xs[i], bottom, "#adb5bd", 1, "4 3")
    if not rows and empty_note:
        body.text(xs[idx[NMR]] + hw[idx[NMR]] / 2 + 12, head_top + head_h + 22, empty_note,
                  color=GREY, font=SANS, size=12)

    def row_y(i):
        t, h = ys[i]
        return t + h - 8 if rows[i].kind != "note" else t + h / 2
    offsets = {}
    for s in sorted(spans, key=lambda s: (("dereg", "offer", "pending").index(s.kind), s.start)):
        x0 = x_of[s.lane]
        y0 = row_y(s.start)
        y1 = row_y(s.end) if s.end is not None else bottom
        if s.kind == "dereg":
            body.rect(x0 - 9, y0, 18, y1 - y0, "#e9ecef", "#adb5bd", 1, "3 2")
        elif s.kind == "offer":
            body.rect(x0 - 6, y0, 12, y1 - y0, "#d3f9d8", GREEN, 1)
        else:
            k = (s.lane, "pending")
            off = offsets.get(k, [])
            off = [o for o in off if o[1] > y0]      # spans still open at y0 on this lane
            dx = 6 * len(off)
            offsets[k] = off + [(y0, y1)]
            body.rect(x0 - 4 + dx, y0, 8, y1 - y0, "#ffc078", ORANGE, 1)
        if s.end is None:
            body.text(x0, bottom + 12, f"(still {STILL[s.kind]})", anchor="middle", color=GREY,
                      size=10)

    tcolor = {}
    for i, r in enumerate(rows):
        t, h = ys[i]
        ly = row_y(i)
        if r.kind == "gap":
            body.line(left - 6, t + h / 2, right - margin, t + h / 2, "#ced4da", 1, "1 3")
            body.text(margin + time_w, t + h / 2 + 4, f"{fmt_dt(r.dt)} later", anchor="end",
                      color=GREY, size=10, extra=' font-style="italic"')
            continue
        body.text(margin + time_w, ly + 4, times[i], anchor="end", color=GREY)
        th = r.e.thread
        tcolor.setdefault(th, THREAD_COLORS[len(tcolor) % len(THREAD_COLORS)])
        body.text(margin + time_w + 14, ly + 4, r.e.thread, color=tcolor[th])
        if r.e.context:
            body.text(margin + time_w + 14 + tw(r.e.thread) + CW, ly + 4, r.e.context,
                      color=RED, weight="bold")
        if r.kind == "note":
            x0 = x_of[r.lane]
            w = max(tw(s) for s in r.lines) + 14
            body.rect(x0 - w / 2, t + 4, w, h - 8, "#fff9db", "#e0b000", 1, rx=3)
            for j, s in enumerate(r.lines):
                body.text(x0 - w / 2 + 7, t + 4 + 14 * (j + 1), s, color="#5c3c00")
            continue
        if r.kind == "fan":
            xa = x_of[r.src]
            for d, lab in r.arrows:
                draw_arrow(body, xa, x_of[d], ly, lab, r.color, "call")
            continue
        xa, xb = x_of[r.src], x_of[r.dst]
        if r.kind == "bind":
            body.line(xa + 2, ly, xb - 2, ly, r.color, 2.2)
            body.head(xa, ly, -1 if xa < xb else 1, r.color)
            body.head(xb, ly, 1 if xb > xa else -1, r.color)
            body.text((xa + xb) / 2, ly - 5, r.label, anchor="middle", color=r.color, halo=True,
                      weight="bold")
            continue
        draw_arrow(body, xa, xb, ly, r.label, r.color, r.style)

    # Legend.
    used = {s.kind for s in spans} | {r.kind for r in rows}
    if used & {"arrow", "bind", "fan"}:
        used.add("arrow")
    if any(r.style == "return" for r in rows if r.kind == "arrow"):
        used.add("return")
    y = bottom + 30 if used & {k for k, _ in LEGEND} else bottom
    lx = margin
    for kind, text in LEGEND:
        if kind not in used:
            continue
        if kind == "arrow":
            body.line(lx, y - 4, lx + 26, y - 4, "#212529", 1.2)
            body.head(lx + 30, y - 4, 1, "#212529")
        elif kind == "return":
            body.line(lx, y - 4, lx + 26, y - 4, "#212529", 1.2, "5 3")
            body.head(lx + 30, y - 4, 1, "#212529", filled=False)
        elif kind == "pending":
            body.rect(lx + 11, y - 12, 8, 14, "#ffc078", ORANGE)
        elif kind == "dereg":
            body.rect(lx + 6, y - 12, 18, 14, "#e9ecef", "#adb5bd", 1, "3 2")
        elif kind == "offer":
            body.rect(lx + 9, y - 12, 12, 14, "#d3f9d8", GREEN)
        else:
            body.rect(lx + 4, y - 12, 22, 14, "#fff9db", "#e0b000", 1, rx=3)
        body.text(lx + 40, y, text, font=SANS, size=11, color=GREY)
        y += 18
    height = y + margin - 6
    svg.add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}">')
    svg.add(f"<title>{esc(title)}</title>")
    svg.add(f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    svg.parts += body.parts
    svg.add("</svg>")
    return "\n".join(svg.parts) + "\n"


STILL = {"dereg": "deregistering", "pending": "pending", "offer": "attaching"}
LEGEND = (
    ("arrow", "a call into the NMR, or a callback out of it"),
    ("return", "a callback's return"),
    ("offer", "an offer running: from the call of attach_provider() to its return"),
    ("pending", "a side pending: its detach returned -EINPROGRESS, until its completion"),
    ("dereg", "deregistering: from the deregister call to the return of its wait"),
    ("note", "a line the module printed (its kernel log)"),
)


def draw_arrow(body, xa, xb, y, label, color, style):
    d = 1 if xb > xa else -1
    dash = "5 3" if style == "return" else None
    body.line(xa, y, xb - d * 2, y, color, 1.3, dash)
    body.head(xb, y, d, color, filled=style != "return")
    body.text((xa + xb) / 2, y - 5, label, anchor="middle", color=color, halo=True)


def fmt_t(t):
    return "" if t is None else f"+{t * 1000:.3f} ms"


def fmt_dt(dt):
    return f"{dt:.2f} s" if dt >= 1 else f"{dt * 1000:.0f} ms"


def thread_label(e):
    return e.thread + (" " + e.context if e.context else "")


def diagram(events, world, title, subtitle=(), empty_note="no nmr trace event in this step"):
    rows, spans = rows_of(events, world)
    return render(rows, spans, world, title, subtitle, empty_note)


# ---- make demo ------------------------------------------------------------------------------

def blocks(lines, begin, end):
    """{key: [lines]} between "BEGIN key..." and "END key..." lines."""
    out, cur = {}, None
    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith(begin + " ") or line == begin:
            cur = out.setdefault(line[len(begin):].strip(), [])
        elif line.startswith(end):
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


def demo(outdir):
    """make demo: one picture per step the guest reported. Returns the files written."""
    with open(os.path.join(outdir, "data.log"), errors="replace") as f:
        data = f.read().splitlines()
    steps = [l.split(" ", 3)[1:] for l in data if l.startswith("NMR-DEMO-STEP ")]
    traces = blocks(data, "NMR-DEMO-TRACE-BEGIN", "NMR-DEMO-TRACE-END")
    per_step = {num: parse(lines) for num, lines in traces.items()}
    clock = Clock([e for evs in per_step.values() for e in evs])
    world, files, index = World(), [], []
    for verdict, num, title in steps:
        evs = per_step.get(num, [])
        Clock(evs, clock).apply(evs)
        name = f"step-{int(num):02d}.svg"
        sub = [f"make demo, step {num} ({verdict}): drawn from the nmr trace events and the"
               " samples' kernel log lines of the step (under TCG the times are rough)"]
        if num not in traces:
            sub.append("(no trace was captured in this step)")
        with open(os.path.join(outdir, name), "w") as f:
            f.write(diagram(evs, world, f"{num}. {title}", sub))
        files.append(name)
        index.append(f'<h2>{esc(num)}. {esc(title)}</h2>\n'
                     f'<p><img src="{name}" alt="step {num}"></p>')
    with open(os.path.join(outdir, "index.html"), "w") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>make demo</title>"
                "</head>\n<body style=\"font-family: sans-serif\">\n<h1>make demo, step by step"
                "</h1>\n" + "\n".join(index) + "\n</body></html>\n")
    return files


# ---- make timelines -------------------------------------------------------------------------

# id, title, KUnit case (suite.case), parameter (None: the case has none), what it shows
TIMELINES = (
    ("t-a", "T-A  Everything synchronous", "nmr_deregister.drg1_t_a_all_synchronous", None,
     "C binds inside its register call; its deregistration detaches and cleans up inside the "
     "call, and the wait returns at once."),
    ("t-b", "T-B  The provider leaves while the client has calls in flight",
     "nmr_detach.det5_t_b_complete_from_any_context", "RCU callback",
     "C's detach pends; C completes from an RCU callback (softirq); both cleanups run on the "
     "NMR's workqueue and P's wait returns."),
    ("t-c", "T-C  The late comer (ATT-10)", "nmr_attach.att10_t_c_late_comer", None,
     "C deregisters while its attach_provider runs on thread 1; when the attach returns, the "
     "NMR detaches at once on that thread, then C's wait returns."),
    ("t-d", "T-D  Both sides leave", "nmr_detach.det2_t_d_both_leave", None,
     "C and P both deregister while C's side is pending: each detach runs once, and neither "
     "wait returns before both cleanups."),
    ("t-e", "T-E  Early completion", "nmr_detach.det6_t_e_early_completion", None,
     "P completes its side before any detach; its detach then returns -EINPROGRESS and the "
     "wait returns with no further completion."),
)

KTAP_OK = re.compile(r"^(\s*)(not ok|ok) \d+ (.*?)(?: # .*)?$")


def case_events(events, tid, case, param):
    """The events of one timeline's case (and parameter) in the whole run's trace."""
    begin = end = None
    for i, e in enumerate(events):
        if e.name == "tracing_mark_write" and e.msg.startswith(f"nmr-case begin {tid} "):
            begin = i
        elif e.name == "tracing_mark_write" and e.msg.startswith(f"nmr-case end {tid} "):
            end = i
    if begin is None or end is None:
        raise ValueError(f"{tid}: no marks of its case in the trace")
    Clock(events[begin:end + 1], Clock(events)).apply(events[begin:end + 1])
    evs = events[begin + 1:end]
    results = [(i, KTAP_OK.match(e.msg)) for i, e in enumerate(evs) if e.name == "console"]
    results = [(i, m) for i, m in results if m]
    name = param or case.split(".", 1)[1]
    mine = [(i, m) for i, m in results if m.group(3) == name]
    if not mine:
        raise ValueError(f"{tid}: no KTAP result for {name} in the trace")
    i, m = mine[0]
    if m.group(2) != "ok":
        raise ValueError(f"{tid}: {name} failed: {evs[i].msg.strip()}")
    if param is None:
        return evs[:i]
    # A parameter's run: after the result line before it at its own depth.
    start = max([j for j, mm in results if j < i and mm.group(1) == m.group(1)] + [-1])
    return evs[start + 1:i]


def timelines(data_log, outdir):
    with open(data_log, errors="replace") as f:
        data = f.read().splitlines()
    trace = blocks(data, "NMR-TRACE-BEGIN", "NMR-TRACE-END").get("")
    if trace is None:
        raise ValueError(f"{data_log}: no NMR-TRACE-BEGIN block")
    events = parse(trace)
    files = []
    for tid, title, case, param, what in TIMELINES:
        evs = case_events(events, tid, case, param)
        src = f"KUnit case {case}" + (f" ({param})" if param else "")
        sub = [what, f"Drawn from the nmr trace events of {src}, Linux 6.12 in QEMU "
               "(make timelines; under TCG the times are rough)."]
        os.makedirs(outdir, exist_ok=True)
        name = f"{tid}.svg"
        with open(os.path.join(outdir, name), "w") as f:
            f.write(diagram(evs, World(letters=True), title, sub, "no nmr trace event"))
        files.append(name)
    return files


# ---- self-test ------------------------------------------------------------------------------

def tl(task, cpu, flags, ts, name, msg):
    return f"{task:>16}     [{cpu:03d}] {flags} {ts:>14}: {name}: {msg}"


def self_test():
    fails = []

    def check(ok, what):
        if not ok:
            fails.append(what)
            print(f"FAIL  {what}")

    hz = 2_000_000_000      # a 2 GHz counter
    T = lambda s: str(int(s * hz))  # noqa: E731
    k, w1, w2 = "kunit_try_catch-61", "kworker/u8:1-30", "kworker/u8:2-31"
    case = [
        tl("sh-50", 0, ".....", T(10.0), "tracing_mark_write", "nmr-clock uptime=10.00"),
        tl("sh-50", 0, ".....", T(10.1), "tracing_mark_write",
           "nmr-case begin t-b nmr_detach.det5 uptime=10.10"),
        tl("insmod-60", 1, "d....", T(10.2), "console", "        ok 3 timer (softirq)"),
        tl(k, 0, ".....", T(10.30), "nmr_register", "provider id=6 owner=nmr_kunit npi=x number=0"),
        tl(k, 0, ".....", T(10.301), "nmr_register", "client id=7 owner=nmr_kunit npi=x number=0"),
        tl(k, 0, ".....", T(10.302), "nmr_offer", "binding=8 client=7 provider=6 result=0"),
        tl(k, 0, ".....", T(10.303), "nmr_attach", "binding=8 client=7 provider=6 result=0"),
        tl(k, 0, ".....", T(10.304), "nmr_deregister", "provider id=6"),
        tl(k, 0, ".....", T(10.305), "nmr_detach_start", "binding=8 side=provider result=0"),
        tl(k, 0, ".....", T(10.306), "nmr_detach", "binding=8 side=provider result=0"),
        tl(k, 0, ".....", T(10.307), "nmr_detach", "binding=8 side=client result=-115"),
        tl("<idle>-0", 1, "d.s2.", T(10.407), "nmr_detach_complete",
           "binding=8 side=client result=0"),
        tl(w1, 1, ".....", T(10.408), "nmr_cleanup", "binding=8 client=7 provider=6 result=0"),
        tl(w2, 2, ".....", T(10.409), "nmr_wait_done", "provider id=6"),
        tl("insmod-60", 1, "d....", T(10.5), "console", "        ok 4 RCU callback"),
        tl(k, 0, ".....", T(10.6), "nmr_register", "provider id=9 owner=nmr_kunit npi=x number=0"),
        tl("insmod-60", 1, "d....", T(10.7), "console", "        ok 5 irq_work"),
        tl("insmod-60", 1, "d....", T(10.8), "console", "    ok 6 det5"),
        tl("sh-50", 0, ".....", T(11.0), "tracing_mark_write", "nmr-case end t-b uptime=11.00"),
        tl("sh-50", 0, ".....", T(12.0), "tracing_mark_write", "nmr-clock uptime=12.00"),
    ]
    evs = parse(["# tracer: nop", "#"] + case)
    check(len(evs) == len(case), "every trace line parsed, the comments skipped")
    Clock(evs).apply(evs)
    check(abs(evs[3].t - 10.30) < 1e-6, "the counter scaled to seconds by the uptime marks")
    check(evs[11].context == "softirq" and evs[3].context == "", "softirq read from the flags")
    sel = case_events(evs, "t-b", "nmr_detach.det5", "RCU callback")
    check([e.name for e in sel][0] == "nmr_register" and len(sel) == 11,
          "a parameter's run: the events between its KTAP line and the one before")
    check(case_events(evs, "t-b", "nmr_detach.det5", None)[-1].msg.strip() == "ok 5 irq_work",
          "a case without parameter: everything before its result")
    try:
        bad = [l.replace("ok 4 RCU", "not ok 4 RCU") for l in case]
        case_events(Clock(parse(bad)).apply(parse(bad)), "t-b", "nmr_detach.det5", "RCU callback")
        check(False, "a failed case is refused")
    except ValueError:
        pass

    world = World(letters=True)
    rows, spans = rows_of(sel, world)
    kinds = [r.kind for r in rows]
    check(kinds.count("gap") == 1, "one gap row, for the 100 ms the side was pending")
    pend = [s for s in spans if s.kind == "pending"]
    check(len(pend) == 1 and rows[pend[0].start].e.name == "nmr_detach"
          and rows[pend[0].end].e.name == "nmr_detach_complete" and pend[0].lane == 7,
          "the pending span: on C, from its -EINPROGRESS to its completion")
    dereg = [s for s in spans if s.kind == "dereg"]
    check(len(dereg) == 1 and dereg[0].lane == 6 and rows[dereg[0].end].e.name == "nmr_wait_done",
          "the deregistering band: on P, from its deregister call to its wait's return")
    check(world.reg(7).label == "C" and world.reg(6).label == "P", "KUnit lanes named C and P")
    check(lane_order(rows, world) == [7, NMR, 6], "lanes: client, NMR, provider")
    svg = render(rows, spans, world, "T-B test", ["sub"])
    try:
        root = ET.fromstring(svg)
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    except ET.ParseError as err:
        texts = []
        check(False, f"the SVG is well-formed XML: {err}")
    for want in ("client C", "provider P", "NMR", "softirq", "detach_provider() returned "
                 "-EINPROGRESS: pending", "nmr_client_detach_provider_complete() = 0",
                 "binding 8 attached", "1. cleanup binding 8", "2. cleanup binding 8",
                 "its wait returns 0", "100 ms later"):
        check(want in texts, f"the picture says {want!r}")
    check(render(rows, spans, world, "T-B test", ["sub"]) == svg, "the same input draws the same")

    # T-E: an early completion opens no span; the later -EINPROGRESS is done at once.
    early = parse([
        tl(k, 0, ".....", "1.000000", "nmr_register", "provider id=1 owner=m npi=x number=0"),
        tl(k, 0, ".....", "1.000001", "nmr_register", "client id=2 owner=m npi=x number=0"),
        tl(k, 0, ".....", "1.000002", "nmr_attach", "binding=3 client=2 provider=1 result=0"),
        tl(k, 0, ".....", "1.000003", "nmr_detach_complete", "binding=3 side=provider result=0"),
        tl(k, 0, ".....", "1.000004", "nmr_detach", "binding=3 side=provider result=-115"),
    ])
    Clock(early).apply(early)
    rows, spans = rows_of(early, World(letters=True))
    check(not [s for s in spans if s.kind == "pending"], "an early completion: no pending span")
    check(rows[-1].label.endswith("completed early, done"), "an early completion: said so")

    # make demo: two steps, lanes by owner, a module's log line on its lane, one step empty.
    d = tempfile.mkdtemp(prefix="seqdiag-")
    data = [
        "NMR-DEMO-TRACE-BEGIN 1", "NMR-DEMO-TRACE-END 1", "NMR-DEMO-STEP ok 1 Load the NMR",
        "NMR-DEMO-TRACE-BEGIN 2",
        tl("insmod-70", 0, ".....", "5.000000", "nmr_register",
           "provider id=1 owner=nmr_sample_hook npi=5eedc0de-0001-4e4d-9200-686f6f6b0000 number=0"),
        tl("insmod-70", 0, "d....", "5.000100", "console",
           "nmr_sample_hook: registered for 5eedc0de-0001-4e4d-9200-686f6f6b0000"),
        "NMR-DEMO-TRACE-END 2", "NMR-DEMO-STEP ok 2 Load the hook provider",
        "NMR-DEMO-STEP skipped 3 Never ran",
    ]
    with open(os.path.join(d, "data.log"), "w") as f:
        f.write("\n".join(data) + "\n")
    files = demo(d)
    check(files == ["step-01.svg", "step-02.svg", "step-03.svg"], "one picture per step")
    with open(os.path.join(d, "step-02.svg")) as f:
        s2 = f.read()
    check("registered for {hook}" in s2 and "nmr_sample_hook" in s2,
          "a module's log line, GUIDs by name, on its lane")
    with open(os.path.join(d, "step-01.svg")) as f:
        check("no nmr trace event in this step" in f.read(), "an empty step says so")
    check(os.path.exists(os.path.join(d, "index.html")), "index.html written")
    for n in files + ["index.html"]:
        os.unlink(os.path.join(d, n))
    os.unlink(os.path.join(d, "data.log"))
    os.rmdir(d)
    check(wrap("a " * 30 + "b" * 60, 20)[-1] == "b" * 20 and all(len(l) <= 20 for l in
          wrap("a " * 30 + "b" * 60, 20)), "notes wrapped at their width")
    print(f"seqdiag self-test: {'FAILED' if fails else 'ok'} ({len(fails)} failure(s))")
    return not fails


def main(argv):
    if len(argv) >= 2 and argv[1] == "--self-test":
        return 0 if self_test() else 1
    if len(argv) == 3 and argv[1] == "demo":
        files = demo(argv[2])
        print(f"{len(files)} pictures in {argv[2]}")
        return 0
    if len(argv) == 4 and argv[1] == "timelines":
        files = timelines(argv[2], argv[3])
        print(f"{len(files)} pictures in {os.path.relpath(argv[3])}: {' '.join(files)}")
        return 0
    if len(argv) in (4, 5) and argv[1] == "trace":
        with open(argv[2], errors="replace") as f:
            evs = parse(f)
        Clock(evs).apply(evs)
        with open(argv[3], "w") as f:
            f.write(diagram(evs, World(), argv[4] if len(argv) == 5 else argv[2]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
