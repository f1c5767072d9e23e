// The render graph: exact trims and xfade offsets from integer frames, fit without stretching, safe escaping, chunks.
import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import { escapeFilterValue } from "../media/index.js";
import { type Rate, samplesToFrames } from "../time/index.js";
import {
  buildRenderGraph,
  effectiveSettings,
  fitFilters,
  framesToSecondsText,
  piecesOf,
  planChunks,
  type RenderSettings,
  renderPreset,
} from "./filtergraph.js";
import { picksOf, planOf } from "./testing.js";
import { buildTimeline, placeTrack, type Timeline } from "./timeline.js";

const fps25: Rate = { num: 25, den: 1 };
const ntsc: Rate = { num: 30000, den: 1001 };

/** Segment lengths that vary, so no offset is a round number by accident. */
function lengths(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 60 + ((i * 37) % 41));
}

function timelineOf(rate: Rate, n = 30, transitionFrames = 10): Timeline {
  const plan = planOf(lengths(n), fps25, 8);
  return buildTimeline(plan, picksOf(plan, "/takes"), { rate, songPath: "/song.wav", transitionFrames });
}

/** ffmpeg's av_get_token: backslash escapes one character, single quotes quote literally. */
function unescapeToken(s: string): string {
  let out = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!quoted && c === "\\") out += s[++i] ?? "";
    else if (c === "'") quoted = !quoted;
    else out += c;
  }
  return out;
}

/**
 * Frames each label of a graph yields (at `rate`), and the concat list in order: enough to place
 * every part. A crossfade lasts its fade's nb_frames, any other transition its xfade duration.
 */
function partsOf(filterComplex: string, rate: Rate): { label: string; frames: number }[] {
  const frames = new Map<string, number>();
  let order: string[] = [];
  for (const chain of filterComplex.split(";")) {
    const out = /\[(\w+)\]$/.exec(chain)?.[1];
    const trim = /trim=start_frame=(\d+):end_frame=(\d+)/.exec(chain);
    const gap = /^color=.*trim=end_frame=(\d+)/.exec(chain);
    const xfade = /xfade=transition=\w+:duration=([\d.]+):offset=0/.exec(chain);
    const fade = /fade=t=in:start_frame=0:nb_frames=(\d+):alpha=1\[(\w+)a\]$/.exec(chain);
    if (out && trim) frames.set(out, Number(trim[2]) - Number(trim[1]));
    if (out && gap) frames.set(out, Number(gap[1]));
    if (out && xfade) frames.set(out, Math.round((Number(xfade[1]) * rate.num) / rate.den));
    if (fade) frames.set(fade[2]!, Number(fade[1]));
    if (chain.includes("concat=")) order = [...chain.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!).slice(0, -1);
  }
  return order.map((label) => ({ label, frames: frames.get(label)! }));
}

/** Where each transition starts, in output frames: the sum of the parts before it. */
function transitionStarts(t: Timeline, transition?: string): { starts: number[]; total: number } {
  const graph = buildRenderGraph(t, renderPreset("16:9", t.rate));
  const starts: number[] = [];
  let total = 0;
  for (const p of partsOf(graph.filterComplex, t.rate)) {
    if (p.label.startsWith("x")) starts.push(total);
    total += p.frames;
  }
  if (transition) expect(graph.filterComplex).toContain(`xfade=transition=${transition}:`);
  return { starts, total };
}

describe("transitions", () => {
  for (const rate of [fps25, ntsc]) {
    it(`start each of 29 crossfades exactly inOffset frames before its cut (${rate.num}/${rate.den})`, () => {
      const t = timelineOf(rate);
      // Plain parts and transitions follow each other in one concat.
      const { starts, total } = transitionStarts(t);
      expect(total).toBe(t.durationFrames);
      const placed = placeTrack(t.tracks[0]!).filter((p) => "clip" in p);
      expect(starts).toEqual(placed.slice(1).map((c) => c.start - c.transitionIn!.inOffset));
    });
  }

  it("place other transitions (xfade) the same way, their duration exact to the microsecond", () => {
    const plan = planOf(lengths(6), fps25, 8);
    const t = buildTimeline(plan, picksOf(plan, "/t"), {
      rate: ntsc,
      songPath: "/s.wav",
      transitionFrames: 10,
      transition: "wipeleft",
    });
    const { starts, total } = transitionStarts(t, "wipeleft");
    expect(total).toBe(t.durationFrames);
    const placed = placeTrack(t.tracks[0]!).filter((p) => "clip" in p);
    expect(starts).toEqual(placed.slice(1).map((c) => c.start - c.transitionIn!.inOffset));
    expect(buildRenderGraph(t, renderPreset("16:9", ntsc)).filterComplex).toContain(
      `duration=${framesToSecondsText(10, ntsc)}:offset=0`,
    );
  });

  it("blend only the frames a transition covers, and stay in 4:2:0 around it", () => {
    const t = timelineOf(fps25, 4);
    const graph = buildRenderGraph(t, renderPreset("16:9", fps25));
    const frames = new Map(
      [
        ...graph.filterComplex.matchAll(
          /trim=start_frame=(\d+):end_frame=(\d+),setpts=PTS-STARTPTS\[(\w+)\]/g,
        ),
      ].map((m) => [m[3]!, Number(m[2]) - Number(m[1])]),
    );
    // The head fades in by its alpha over the tail: both are trims of exactly the transition's frames.
    const heads = [...graph.filterComplex.matchAll(/\[(\w+)\]format=yuva420p,fade=t=in:[^;]*\[(\w+)\]/g)];
    const overlays = [
      ...graph.filterComplex.matchAll(/\[(\w+)\]\[(\w+)\]overlay=format=yuv420,format=yuv420p\[/g),
    ];
    expect(heads).toHaveLength(3);
    expect(overlays).toHaveLength(3);
    for (const [i, m] of heads.entries()) {
      expect(frames.get(m[1]!)).toBe(10);
      expect(overlays[i]![2]).toBe(m[2]);
      expect(frames.get(overlays[i]![1]!)).toBe(10);
    }
    expect(graph.filterComplex).not.toContain("xfade");
  });

  it("prints frame times from integers, to the microsecond", () => {
    expect(framesToSecondsText(1, ntsc)).toBe("0.033367");
    expect(framesToSecondsText(30000, ntsc)).toBe("1001.000000");
    expect(framesToSecondsText(37, fps25)).toBe("1.480000");
  });
});

describe("clip chains", () => {
  it("trim each take to its source range plus the handles its transitions use", () => {
    const t = timelineOf(fps25, 4);
    const graph = buildRenderGraph(t, renderPreset("16:9", fps25));
    const trims = graph.filterComplex
      .split(";")
      .map((c) => /^\[\d+:v:0\].*?trim=start_frame=(\d+):end_frame=(\d+)/.exec(c))
      .filter((m) => m !== null);
    const placed = placeTrack(t.tracks[0]!).filter((p) => "clip" in p);
    expect(trims).toHaveLength(placed.length);
    for (const [i, m] of trims.entries()) {
      const p = placed[i]!;
      expect(Number(m[1])).toBe(p.clip.sourceRange.startFrame - p.headFrames);
      expect(Number(m[2])).toBe(
        p.clip.sourceRange.startFrame + p.clip.sourceRange.durationFrames + p.tailFrames,
      );
    }
    // Each take is read just past the last frame used, never to the end of its padding.
    const limits = graph.inputs.flatMap((a, i) => (a === "-t" ? [Number(graph.inputs[i + 1])] : []));
    expect(limits).toHaveLength(placed.length);
    for (const [i, limit] of limits.entries()) {
      const lastUsed = Number(trims[i]![2]) / 25;
      expect(limit).toBeGreaterThan(lastUsed + 1 / 25);
      expect(limit).toBeLessThan(lastUsed + 0.2);
    }
    // The graph's frames: each clip's visible length; xfade overlaps are handles, not extra output.
    expect(graph.frames).toBe(t.durationFrames);
    expect(graph.filterComplex).toContain(`trim=end_frame=${t.durationFrames}[out]`);
  });

  it("map the master song as the only audio and encode H.264 + AAC with faststart", () => {
    const t = timelineOf(fps25, 3);
    const g = buildRenderGraph(t, renderPreset("16:9", fps25));
    expect(g.inputs.slice(-2)).toEqual(["-i", "/song.wav"]);
    expect(g.inputs.filter((a) => a === "-i")).toHaveLength(4);
    expect(g.maps).toEqual(["-map", "[out]", "-map", "3:a:0"]);
    expect(g.outputArgs).toEqual(expect.arrayContaining(["libx264", "aac", "+faststart"]));
    const chunk = buildRenderGraph(t, renderPreset("16:9", fps25), { from: 10, to: 50, audio: false });
    expect(chunk.maps).toEqual(["-map", "[out]"]);
    expect(chunk.outputArgs).toContain("-an");
    expect(chunk.outputArgs.join(" ")).toContain("-frames:v 40");
  });

  it("fit 9:16 by crop-to-fill or by pad, never by stretching", () => {
    const vertical = renderPreset("9:16", fps25);
    expect([vertical.width, vertical.height]).toEqual([1080, 1920]);
    const crop = fitFilters(1080, 1920, "crop");
    expect(crop).toEqual(["scale=1080:1920:force_original_aspect_ratio=increase", "crop=1080:1920"]);
    const pad = fitFilters(1080, 1920, "pad");
    expect(pad[0]).toContain("force_original_aspect_ratio=decrease");
    expect(pad[1]).toMatch(/^pad=1080:1920:/);
    const t = timelineOf(fps25, 2);
    expect(buildRenderGraph(t, { ...vertical, fit: "pad" }).filterComplex).toContain(pad.join(","));
    expect(buildRenderGraph(t, vertical).filterComplex).toContain(crop.join(","));
  });

  it("correct a clip's colour on the side of the fit with fewer pixels, only that clip", () => {
    const plan = planOf([50, 50, 50, 50], fps25, 6);
    const colour = { filter: "lutyuv=y=val*0.9+10" };
    const sizes = [undefined, { width: 832, height: 480 }, { width: 1920, height: 1920 }, undefined];
    const picks = picksOf(plan, "/t").map((p, i) =>
      i === 0 ? p : { ...p, colour, ...(sizes[i] ? { size: sizes[i] } : {}) },
    );
    const t = buildTimeline(plan, picks, { rate: fps25, songPath: "/s.wav" });
    const chains = buildRenderGraph(t, renderPreset("1:1", fps25))
      .filterComplex.split(";")
      .filter((c) => /^\[\d+:v:0\]/.test(c));
    const fit = "scale=1080:1080:force_original_aspect_ratio=increase,crop=1080:1080";
    expect(chains[0]).not.toContain("lutyuv");
    // 832×480 upscaled to 1080²: the lookup runs on the take's 0.4 Mpx, before the scale.
    expect(chains[1]).toContain(`lutyuv=y=val*0.9+10,${fit},setsar=1`);
    // A larger take, or one of unknown size: after the fit, on the output's pixels.
    expect(chains[2]).toContain(`${fit},lutyuv=y=val*0.9+10,setsar=1`);
    expect(chains[3]).toContain(`${fit},lutyuv=y=val*0.9+10,setsar=1`);
  });

  it("black gaps are generated at the frame size and rate", () => {
    const plan = planOf([40, 40, 40], fps25, 6);
    const t = buildTimeline(
      plan,
      picksOf(plan, "/t").filter((p) => p.segment !== 1),
      { rate: fps25, songPath: "/s.wav" },
    );
    const g = buildRenderGraph(t, renderPreset("16:9", fps25, { shortSide: 180 }));
    expect(g.filterComplex).toContain("color=c=black:s=320x180:r=25,trim=end_frame=40");
    expect(g.filterComplex).toContain("concat=n=3:v=1:a=0");
  });

  it("draft renders at a short side of 480 with ultrafast", () => {
    const s = effectiveSettings(renderPreset("9:16", fps25, { draft: true }));
    expect([s.width, s.height, s.preset]).toEqual([480, 854, "ultrafast"]);
  });
});

describe("subtitle burn-in", () => {
  const awkward = [
    "/tmp/my subs/song.ass",
    "/tmp/it's/a:b.ass",
    "/tmp/歌词 [副歌]/第一首, 版本;2.srt",
    "C:\\Users\\me\\lyrics.ass",
  ];
  for (const path of awkward) {
    it(`escapes ${JSON.stringify(path)} so ffmpeg reads back the same path`, () => {
      const escaped = escapeFilterValue(path);
      // Graph level, then option level: what ffmpeg hands the filter.
      expect(unescapeToken(unescapeToken(escaped))).toBe(path);
      // Nothing left for the graph parser to split on.
      expect(escaped).not.toMatch(/(^|[^\\])[[\],;]/);
    });
  }

  it("uses the ass filter for .ass and subtitles for .srt, after the join", () => {
    const t = timelineOf(fps25, 3);
    const base = renderPreset("16:9", fps25, { burnSubtitles: true });
    const ass = buildRenderGraph(t, { ...base, subtitlesPath: "/a b/x.ass" }).filterComplex;
    expect(ass).toMatch(/concat=n=\d+:v=1:a=0\[joined\];\[joined\]ass=filename=/);
    const srt = buildRenderGraph(t, { ...base, subtitlesPath: "/x.srt" }).filterComplex;
    expect(srt).toContain("subtitles=filename=");
    // A chunk starting later is shifted to its place in the song for the subtitles, then back.
    const chunk = buildRenderGraph(
      t,
      { ...base, subtitlesPath: "/x.srt" },
      { from: 30, to: 60, audio: false },
    );
    expect(chunk.filterComplex).toMatch(/setpts=PTS\+30,subtitles=filename=.*,setpts=PTS-STARTPTS/);
  });
});

describe("validation before ffmpeg starts", () => {
  const t = timelineOf(fps25, 2);
  const ok = renderPreset("16:9", fps25);
  const cases: [string, RenderSettings, RegExp][] = [
    ["odd width", { ...ok, width: 1279 }, /width must be an even/],
    ["another rate", { ...ok, rate: ntsc }, /differs from the timeline's 25/],
    ["stretch", { ...ok, fit: "stretch" as "crop" }, /fit must be/],
    ["crf 60", { ...ok, crf: 60 }, /crf/],
    ["preset", { ...ok, preset: "turbo" }, /not an x264 preset/],
    ["burn without file", { ...ok, burnSubtitles: true }, /no subtitlesPath/],
    ["burn a .txt", { ...ok, burnSubtitles: true, subtitlesPath: "/x.txt" }, /only .ass/],
  ];
  for (const [name, settings, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(() => buildRenderGraph(t, settings)).toThrow(UserInputError);
      expect(() => buildRenderGraph(t, settings)).toThrow(message);
    });
  }

  it("refuses a colour filter that would open another chain", () => {
    const plan = planOf([50, 50], fps25, 6);
    const picks = picksOf(plan, "/t").map((p) => ({ ...p, colour: { filter: "eq=gamma=1[x];[x]null" } }));
    const bad = buildTimeline(plan, picks, { rate: fps25, songPath: "/s.wav" });
    expect(() => buildRenderGraph(bad, ok)).toThrow(/segment 0: colour filter/);
  });

  it("refuses a range outside the timeline", () => {
    expect(() => buildRenderGraph(t, ok, { from: 0, to: t.durationFrames + 1 })).toThrow(UserInputError);
  });
});

describe("chunks", () => {
  const t = timelineOf(fps25, 30);

  it("cover every frame once, each holding at most the asked number of clips", () => {
    const chunks = planChunks(t, 6);
    expect(chunks[0]!.from).toBe(0);
    expect(chunks.at(-1)!.to).toBe(t.durationFrames);
    for (const [i, c] of chunks.entries()) {
      if (i > 0) expect(c.from).toBe(chunks[i - 1]!.to);
      const clips = piecesOf(t, c.from, c.to)
        .flat()
        .filter((p) => p.kind === "clip");
      expect(clips.length).toBeLessThanOrEqual(6);
    }
    expect(chunks.length).toBeGreaterThanOrEqual(5);
  });

  it("never split a transition: each boundary lies in a clip's plain middle", () => {
    const placed = placeTrack(t.tracks[0]!).filter((p) => "clip" in p);
    for (const { from } of planChunks(t, 5).slice(1)) {
      for (const p of placed) {
        const inStart = p.start - (p.transitionIn?.inOffset ?? 0);
        const inEnd = p.start + (p.transitionIn?.outOffset ?? 0);
        expect(from <= inStart || from >= inEnd).toBe(true);
      }
    }
  });

  it("hand each chunk exactly its media frames: together they equal the whole render", () => {
    const whole = piecesOf(t).flat();
    const mediaFrames = (ps: ReturnType<typeof piecesOf>) =>
      ps.flat().reduce((n, p) => n + (p.kind === "clip" ? p.mediaTo - p.mediaFrom : p.frames), 0);
    const chunked = planChunks(t, 4).reduce((n, c) => n + mediaFrames(piecesOf(t, c.from, c.to)), 0);
    expect(chunked).toBe(mediaFrames([whole]));
    const frames = planChunks(t, 4).map((c) =>
      buildRenderGraph(t, renderPreset("16:9", fps25), { ...c, audio: false }),
    );
    expect(frames.reduce((n, g) => n + g.frames, 0)).toBe(samplesToFrames(t.audio.durationSamples, fps25));
  });
});
