// Kdenlive export: the project's structure mirrors the timeline, and melt renders it to the right length with sound.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTimeline, placeTrack, type Timeline } from "../assemble/index.js";
import { picksOf, planOf, writeSong, writeTakes } from "../assemble/testing.js";
import { decodeMono, findTools, runTool } from "../media/index.js";
import { toRate } from "../time/index.js";
import { buildKdenlive, lutFilter, toAss, writeKdenlive } from "./index.js";

const fps = toRate(25);

type X = Record<string, unknown> & { property?: { "@_name": string; "#text"?: string | number }[] };
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  isArray: (name) =>
    [
      "producer",
      "playlist",
      "tractor",
      "track",
      "transition",
      "entry",
      "blank",
      "property",
      "filter",
    ].includes(name),
  preserveOrder: false,
});
const propOf = (x: X, name: string) => x.property?.find((p) => p["@_name"] === name)?.["#text"];

function sampleTimeline(dir: string, dropSegment?: number): Timeline {
  const plan = planOf([30, 25, 35], fps, 6);
  const picks = picksOf(plan, dir).filter((p) => p.segment !== dropSegment);
  picks[0] = { ...picks[0]!, colour: { filter: "lutyuv=y=val*1.2-10:u=val*1+0:v=val*0.8+5" } };
  return buildTimeline(plan, picks, { rate: fps, songPath: join(dir, "song.wav"), transitionFrames: 6 });
}

/** Plays a playlist: each entry's [start, end) on the track, from blanks and entry lengths. */
function layout(xml: string, id: string): { start: number; end: number; in: number }[] {
  // fast-xml-parser groups children by name, so read the order of blanks and entries from the text.
  const body = xml.slice(
    xml.indexOf(`<playlist id="${id}">`),
    xml.indexOf("</playlist>", xml.indexOf(`<playlist id="${id}">`)),
  );
  const out: { start: number; end: number; in: number }[] = [];
  let at = 0;
  for (const m of body.matchAll(/<(blank|entry) ([^>]*?)\/?>/g)) {
    const attrs = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], Number(a[2])]),
    );
    if (m[1] === "blank") at += attrs.length!;
    else {
      const len = attrs.out! - attrs.in! + 1;
      out.push({ start: at, end: at + len, in: attrs.in! });
      at += len;
    }
  }
  return out;
}

describe("buildKdenlive", () => {
  const timeline = sampleTimeline("/takes");
  const xml = buildKdenlive(timeline, { width: 128, height: 128 });
  const doc = parser.parse(xml).mlt as X & { producer: X[]; playlist: X[]; tractor: X[]; profile: X };

  it("is a Kdenlive 1.04 document with the timeline's profile", () => {
    expect(doc["@_producer"]).toBe("main_bin");
    expect(doc.profile).toMatchObject({
      "@_width": "128",
      "@_height": "128",
      "@_frame_rate_num": "25",
      "@_frame_rate_den": "1",
    });
    const bin = doc.playlist.find((p) => p["@_id"] === "main_bin")!;
    expect(propOf(bin, "kdenlive:docproperties.version")).toBe(1.04);
    // Every bin producer is listed in the bin, and every timeline entry names its bin clip's kdenlive:id.
    const ids = new Map(
      doc.producer
        .filter((p) => p["@_id"] !== "black_track")
        .map((p) => [p["@_id"], propOf(p, "kdenlive:id")]),
    );
    expect((bin.entry as X[]).map((e) => e["@_producer"]).sort()).toEqual([...ids.keys()].sort());
    for (const pl of doc.playlist.filter((p) => p["@_id"] !== "main_bin")) {
      for (const e of (pl.entry as X[] | undefined) ?? [])
        expect(propOf(e, "kdenlive:id")).toBe(ids.get(e["@_producer"]));
    }
  });

  it("places every clip, with its handles under the crossfades, at the timeline's frames", () => {
    const placed = placeTrack(timeline.tracks[0]!).filter((p) => "clip" in p);
    const onTrack = [...layout(xml, "playlist2"), ...layout(xml, "playlist3")].sort(
      (a, b) => a.start - b.start,
    );
    expect(onTrack).toEqual(
      placed.map((p) => ({
        start: p.start - p.headFrames,
        end: p.end + p.tailFrames,
        in: p.clip.sourceRange.startFrame - p.headFrames,
      })),
    );
    const mixes = (doc.tractor[1]!.transition as X[]).map((t) => [Number(t["@_in"]), Number(t["@_out"]) + 1]);
    expect(mixes).toEqual(
      placed
        .filter((p) => p.transitionIn)
        .map((p) => [p.start - p.transitionIn!.inOffset, p.start + p.transitionIn!.outOffset]),
    );
  });

  it("carries the song as the only audio track, for the whole timeline", () => {
    const audio = layout(xml, "playlist0");
    expect(audio).toEqual([{ start: 0, end: timeline.durationFrames, in: 0 }]);
    expect(propOf(doc.tractor[0]!, "kdenlive:audio_track")).toBe(1);
  });

  it("turns a missing take into a blank and a colour correction into an MLT lutyuv filter", () => {
    const withGap = buildKdenlive(sampleTimeline("/takes", 1));
    expect(withGap).toMatch(/<blank length="\d+"\/>/);
    expect(xml).toContain('<property name="mlt_service">avfilter.lutyuv</property>');
    expect(xml).toContain('<property name="av.y">val*1.2-10</property>');
    expect(lutFilter("eq=gamma=1.1", "f")).toBeNull();
  });

  it("leaves a held edge frame blank, shortening the entry so no black or frozen frame shows", () => {
    const plan = planOf([30, 25, 35], fps, 6);
    // Segment 1's take is black for its first 8 frames: 2 more than its 6-frame head handle.
    const picks = picksOf(plan, "/takes").map((p) =>
      p.segment === 1 ? { ...p, usableRange: { startFrame: 8, durationFrames: 37 - 8 } } : p,
    );
    const held = buildTimeline(plan, picks, { rate: fps, songPath: "/s.wav", transitionFrames: 6 });
    const clip = placeTrack(held.tracks[0]!).find((p) => "clip" in p && p.clip.segment === 1)!;
    if (!("clip" in clip)) throw new Error("segment 1 has no clip");
    expect(clip.clip.holdHeadFrames).toBe(2);
    const text = buildKdenlive(held);
    const entries = [...layout(text, "playlist2"), ...layout(text, "playlist3")];
    expect(entries).toContainEqual({ start: clip.start + 2, end: clip.end + clip.tailFrames, in: 8 });
    expect(entries.every((e) => e.in >= 0)).toBe(true);
    expect(text).toMatch(
      /<property name="refrain:held">refrain holds the first usable frame of the take for 2 frames/,
    );
  });

  it("attaches karaoke subtitles to the main tractor as Kdenlive does, only when given", () => {
    const main = doc.tractor.at(-1)!;
    expect(main.filter).toBeUndefined();
    const withSubs = parser.parse(buildKdenlive(timeline, { subtitlesPath: "/p/video.kdenlive.ass" })).mlt
      .tractor as X[];
    const filter = (withSubs.at(-1)!.filter as X[])[0]!;
    expect(propOf(filter, "mlt_service")).toBe("avfilter.subtitles");
    expect(propOf(filter, "av.filename")).toBe("/p/video.kdenlive.ass");
  });

  it("escapes file names that are not safe in XML", () => {
    const t = buildTimeline(planOf([25], fps), [{ segment: 0, takeId: "t<&>", path: '/a&b/"x".mp4', fps }], {
      rate: fps,
      songPath: "/s.wav",
    });
    const text = buildKdenlive(t);
    expect(text).toContain("/a&amp;b/&quot;x&quot;.mp4");
    expect(
      parser.parse(text).mlt.producer[0].property.find((p: X) => p["@_name"] === "resource")["#text"],
    ).toBe('/a&b/"x".mp4');
  });
});

describe("rendering the project with melt (real run)", () => {
  const tools = findTools();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "refrain-kdenlive-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renders to the timeline's length (±1 frame) with the song's audio", async () => {
    const plan = planOf([30, 25, 35], fps, 6);
    await writeTakes(tools, plan, dir, "96x96");
    await writeSong(tools, join(dir, "song.wav"), plan.durationSamples);
    const timeline = sampleTimeline(dir);
    const project = join(dir, "video.kdenlive");
    await writeKdenlive(timeline, project, { width: 96, height: 96 });
    expect((await readFile(project, "utf8")).startsWith("<?xml")).toBe(true);
    const out = join(dir, "out.mp4");
    await runTool(
      "melt",
      ["-quiet", project, "-consumer", `avformat:${out}`, "vcodec=libx264", "preset=ultrafast", "acodec=aac"],
      {
        signal: AbortSignal.timeout(30_000),
      },
    );
    const { stdout } = await runTool(
      tools.ffprobe,
      [
        "-v",
        "error",
        "-count_frames",
        "-show_entries",
        "stream=codec_type,nb_read_frames,duration",
        "-of",
        "json",
        out,
      ],
      { captureStdout: true },
    );
    const streams = JSON.parse(stdout.toString()).streams as {
      codec_type: string;
      nb_read_frames: string;
      duration: string;
    }[];
    const video = streams.find((s) => s.codec_type === "video")!;
    const audio = streams.find((s) => s.codec_type === "audio");
    expect(Math.abs(Number(video.nb_read_frames) - timeline.durationFrames)).toBeLessThanOrEqual(1);
    expect(audio).toBeDefined();
    expect(Math.abs(Number(audio!.duration) - timeline.durationFrames / 25)).toBeLessThanOrEqual(0.04);
    const sound = await decodeMono(tools, out, { sampleRate: 8000 });
    const rms = Math.sqrt(sound.reduce((a, x) => a + x * x, 0) / sound.length);
    expect(rms).toBeGreaterThan(0.05);

    // With the karaoke file attached, melt burns the lyrics in: the frames under the line change.
    const ass = join(dir, "video.kdenlive.ass");
    const lyrics = { text: "HOLD THE LIGHT", start: 0, end: 96_000 };
    await writeFile(
      ass,
      toAss(
        { lines: [lyrics], sections: [], estimated: false, format: "lrc", warnings: [] },
        { width: 96, height: 96, preset: "1:1", karaoke: false },
      ),
    );
    const subbed = join(dir, "subbed.kdenlive");
    await writeKdenlive(timeline, subbed, { width: 96, height: 96, subtitlesPath: ass });
    const outSubbed = join(dir, "subbed.mp4");
    await runTool(
      "melt",
      ["-quiet", subbed, "-consumer", `avformat:${outSubbed}`, "vcodec=libx264", "preset=ultrafast"],
      {
        signal: AbortSignal.timeout(30_000),
      },
    );
    const frame = async (file: string) =>
      (
        await runTool(
          tools.ffmpeg,
          [
            "-v",
            "error",
            "-ss",
            "1",
            "-i",
            file,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
          ],
          { captureStdout: true },
        )
      ).stdout;
    const [plain, withLyrics] = [await frame(out), await frame(outSubbed)];
    let changed = 0;
    for (let i = 0; i < plain.length; i++) if (Math.abs(plain[i]! - withLyrics[i]!) > 40) changed++;
    expect(changed / plain.length).toBeGreaterThan(0.01);
  });
});
