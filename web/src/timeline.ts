// The song drawn as SVG: waveform peaks, beats, sections, lyric lines and the segments along it, with a playhead.
import type { AnalysisView, SegmentView } from "./api.js";

const NS = "http://www.w3.org/2000/svg";
const W = 1000;
const H = 150;
const WAVE_TOP = 18;
const WAVE_H = 70;

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface TimelineHandlers {
  onSeek(seconds: number): void;
  onSegment(index: number): void;
}

/** Draws the timeline into `host`; returns a function that moves the playhead. */
export function drawTimeline(
  host: HTMLElement,
  a: AnalysisView,
  segments: SegmentView[],
  handlers: TimelineHandlers,
): (seconds: number) => void {
  const x = (s: number) => (a.durationS > 0 ? (s / a.durationS) * W : 0);
  const svg = el("svg", {
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: "none",
    role: "group",
    "aria-label": `Waveform, ${a.beats.length} beats, ${a.sections.length} sections, ${a.lines.length} lyric lines, ${segments.length} segments`,
    class: "timeline-svg",
  });
  for (const s of a.sections) {
    const g = el("g", { class: "section" });
    g.append(
      el("rect", {
        x: x(s.start),
        y: 0,
        width: x(s.end) - x(s.start),
        height: H,
        class: `section-band ${s.kind}`,
      }),
    );
    g.append(el("text", { x: x(s.start) + 3, y: 12, class: "section-label" }, s.name));
    svg.append(g);
  }
  const mid = WAVE_TOP + WAVE_H / 2;
  const n = a.peaks.length;
  let d = "";
  a.peaks.forEach((p, i) => {
    const px = (i / n) * W;
    const h = Math.max(0.5, p * (WAVE_H / 2));
    d += `M${px.toFixed(1)} ${(mid - h).toFixed(1)}V${(mid + h).toFixed(1)}`;
  });
  svg.append(el("path", { d, class: "wave" }));
  const downbeats = new Set(a.downbeats.map((b) => b.toFixed(3)));
  const beats = el("g", { class: "beats" });
  for (const b of a.beats) {
    const down = downbeats.has(b.toFixed(3));
    beats.append(
      el("line", {
        x1: x(b),
        x2: x(b),
        // Ticks under the waveform, where the peaks cannot hide them; downbeats taller.
        y1: down ? WAVE_TOP + WAVE_H - 12 : WAVE_TOP + WAVE_H - 6,
        y2: WAVE_TOP + WAVE_H + 2,
        class: down ? "beat downbeat" : "beat",
      }),
    );
  }
  svg.append(beats);
  const lines = el("g", { class: "lyrics" });
  for (const l of a.lines) {
    lines.append(
      el("rect", {
        x: x(l.start),
        y: WAVE_TOP + WAVE_H + 2,
        width: Math.max(1, x(l.end) - x(l.start)),
        height: 16,
        class: "lyric-span",
      }),
    );
    lines.append(el("text", { x: x(l.start) + 2, y: WAVE_TOP + WAVE_H + 14, class: "lyric-text" }, l.text));
  }
  svg.append(lines);
  const segs = el("g", { class: "segment-blocks" });
  for (const s of segments) {
    const r = el("rect", {
      x: x(s.start) + 0.5,
      y: H - 28,
      width: Math.max(1, x(s.end) - x(s.start) - 1),
      height: 26,
      class: `segment-block ${s.kind}${s.pickedTakeId ? " has-pick" : ""}${s.locked ? " locked" : ""}`,
      "data-segment": s.index,
    });
    const t = el("text", { x: x(s.start) + 4, y: H - 10, class: "segment-label" }, `${s.index}`);
    const g = el("g", {
      class: "segment-link",
      tabindex: 0,
      role: "button",
      "aria-label": `Go to segment ${s.index} (${s.start.toFixed(2)}–${s.end.toFixed(2)} s)`,
    });
    g.append(r, t);
    g.addEventListener("click", (ev) => {
      ev.stopPropagation();
      handlers.onSegment(s.index);
    });
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        handlers.onSegment(s.index);
      }
    });
    segs.append(g);
  }
  svg.append(segs);
  const head = el("line", { x1: 0, x2: 0, y1: 0, y2: H, class: "playhead" });
  svg.append(head);
  svg.addEventListener("click", (ev) => {
    const box = svg.getBoundingClientRect();
    handlers.onSeek(((ev.clientX - box.left) / box.width) * a.durationS);
  });
  host.replaceChildren(svg);
  return (seconds) => {
    head.setAttribute("x1", String(x(seconds)));
    head.setAttribute("x2", String(x(seconds)));
  };
}
