// A Kdenlive project (.kdenlive, MLT XML) of a timeline: the takes with their trims and crossfades, and the song.
//
// Written in Kdenlive's document version 1.04 layout (Kdenlive 20.08–22.12, tests/dataset/test-mix.kdenlive):
// bin producers, a `main_bin` playlist with `kdenlive:docproperties.*`, one tractor of two playlists per
// track (the second holds the incoming clip of a same-track mix), a luma transition per crossfade with
// `kdenlive:mixcut`, and the main tractor with the internal mix/qtblend compositing. Newer Kdenlive
// upgrades 1.04 documents on open; `melt` renders the file as is (it ignores `kdenlive:` properties).
import { dirname } from "node:path";
import { XMLBuilder } from "fast-xml-parser";
import { type Clip, placeTrack, type Timeline, trackDurationFrames } from "../assemble/index.js";
import { writeFileAtomic } from "../files/index.js";
import { rateToNumber, samplesToFrames } from "../time/index.js";

export interface KdenliveOptions {
  /** Frame size of the project profile (default 1920×1080). */
  readonly width?: number;
  readonly height?: number;
  /** Stable document id (Kdenlive uses a millisecond timestamp); pass one in, the builder is pure. */
  readonly documentId?: string;
  /** MLT version written in the root element (default 7.12.0, Debian 12's). */
  readonly mltVersion?: string;
  /**
   * Karaoke subtitles (.ass) over the whole timeline, attached the way Kdenlive attaches its own
   * subtitles (SubtitleModel: an `avfilter.subtitles` filter on the main tractor, internal_added 237,
   * av.alpha 1), so `melt` burns them in as refrain's render does. The CLI writes the file beside the
   * project as `<project>.kdenlive.ass`.
   */
  readonly subtitlesPath?: string;
}

/** An element in fast-xml-parser's ordered form: children in document order, attributes under ":@". */
type Node = { [tag: string]: Node[] | string | Record<string, string> };

function el(tag: string, attrs: Record<string, string | number> = {}, children: Node[] = []): Node {
  const node: Node = { [tag]: children };
  const at: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) at[`@_${k}`] = String(v);
  if (Object.keys(at).length > 0) node[":@"] = at;
  return node;
}

function prop(name: string, value: string | number): Node {
  const text = String(value);
  return el("property", { name }, text === "" ? [] : [{ "#text": text }]);
}

/** ffmpeg's `lutyuv=y=…:u=…:v=…` (what colourCorrection writes) or `lutrgb=…` as an MLT avfilter filter. */
export function lutFilter(filter: string, id: string): Node | null {
  const m = /^(lutyuv|lutrgb)=(.*)$/.exec(filter.trim());
  if (!m) return null;
  const props: Node[] = [prop("mlt_service", `avfilter.${m[1]}`)];
  for (const part of m[2]!.split(":")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    props.push(prop(`av.${part.slice(0, eq)}`, part.slice(eq + 1)));
  }
  return el("filter", { id }, props);
}

interface BinClip {
  readonly producerId: string;
  readonly kdenliveId: number;
  readonly path: string;
  readonly name: string;
  readonly lengthFrames: number;
}

function producer(c: BinClip, extra: Node[] = []): Node {
  return el("producer", { id: c.producerId, in: 0, out: Math.max(0, c.lengthFrames - 1) }, [
    prop("length", c.lengthFrames),
    prop("eof", "pause"),
    prop("resource", c.path),
    prop("mlt_service", "avformat-novalidate"),
    prop("seekable", 1),
    prop("kdenlive:clipname", c.name),
    prop("kdenlive:folderid", -1),
    prop("kdenlive:id", c.kdenliveId),
    ...extra,
  ]);
}

function trackTractor(
  id: string,
  playlists: [string, string],
  audio: boolean,
  transitions: Node[] = [],
): Node {
  const hide = audio ? "video" : "audio";
  return el("tractor", { id, in: 0 }, [
    ...(audio ? [prop("kdenlive:audio_track", 1)] : []),
    prop("kdenlive:trackheight", 67),
    prop("kdenlive:timeline_active", 1),
    prop("kdenlive:collapsed", 0),
    el("track", { hide, producer: playlists[0] }),
    el("track", { hide, producer: playlists[1] }),
    ...transitions,
  ]);
}

/** Appends `item` to a playlist at `at`, with a blank before it when the playlist is behind. */
function append(list: Node[], cursor: { at: number }, at: number, item: Node): void {
  if (at > cursor.at) list.push(el("blank", { length: at - cursor.at }));
  list.push(item);
}

/** The project as MLT XML text. Pure: same timeline and options, same bytes. */
export function buildKdenlive(timeline: Timeline, options: KdenliveOptions = {}): string {
  const width = options.width ?? 1920;
  const height = options.height ?? 1080;
  const rate = timeline.rate;
  const total = Math.max(timeline.durationFrames, ...timeline.tracks.map(trackDurationFrames));

  // Bin: one producer per distinct take file, then the song.
  const bin = new Map<string, BinClip>();
  const clips: Clip[] = timeline.tracks.flatMap((t) =>
    t.children.filter((c): c is Clip => c.kind === "clip"),
  );
  for (const c of clips) {
    const known = bin.get(c.mediaPath);
    const length = c.availableRange.startFrame + c.availableRange.durationFrames;
    if (known) {
      bin.set(c.mediaPath, { ...known, lengthFrames: Math.max(known.lengthFrames, length) });
      continue;
    }
    bin.set(c.mediaPath, {
      producerId: `producer${bin.size}`,
      kdenliveId: bin.size + 2,
      path: c.mediaPath,
      name: c.takeId,
      lengthFrames: length,
    });
  }
  const songFrames = samplesToFrames(timeline.audio.durationSamples, rate);
  const song: BinClip = {
    producerId: `producer${bin.size}`,
    kdenliveId: bin.size + 2,
    path: timeline.audio.path,
    name: "song",
    lengthFrames: songFrames,
  };
  const binClips = [...bin.values(), song];

  // Video tracks: clip i sits on the playlist opposite the clip it crossfades from.
  let filterCount = 0;
  let transitionCount = 0;
  const videoTracks: { playlists: [Node[], Node[]]; transitions: Node[] }[] = timeline.tracks.map((track) => {
    const lists: [Node[], Node[]] = [[], []];
    const cursors = [{ at: 0 }, { at: 0 }];
    const transitions: Node[] = [];
    let side = 0;
    for (const placed of placeTrack(track)) {
      if (!("clip" in placed)) continue;
      const c = placed.clip;
      if (placed.transitionIn && placed.headFrames + (placed.transitionIn.outOffset ?? 0) > 0)
        side = 1 - side;
      // Kdenlive has no simple freeze of one frame: a held edge (its take's frames there are black or
      // frozen) becomes a shortened entry with a blank in its place, and a note saying so.
      const holdHead = c.holdHeadFrames ?? 0;
      const holdTail = c.holdTailFrames ?? 0;
      const from = placed.start - placed.headFrames + holdHead;
      const to = placed.end + placed.tailFrames - holdTail;
      const sourceIn = c.sourceRange.startFrame - placed.headFrames + holdHead;
      const entryChildren: Node[] = [prop("kdenlive:id", bin.get(c.mediaPath)!.kdenliveId)];
      if (holdHead + holdTail > 0) {
        entryChildren.push(
          prop(
            "refrain:held",
            `refrain holds the first usable frame of the take for ${holdHead} frames and the last for ${holdTail}; left blank here`,
          ),
        );
      }
      if (c.colour) {
        const f = lutFilter(c.colour.filter, `filter${filterCount}`);
        if (f) {
          filterCount++;
          entryChildren.push(f);
        }
      }
      append(
        lists[side]!,
        cursors[side]!,
        from,
        el(
          "entry",
          { producer: bin.get(c.mediaPath)!.producerId, in: sourceIn, out: sourceIn + (to - from) - 1 },
          entryChildren,
        ),
      );
      cursors[side]!.at = to;
      const t = placed.transitionIn;
      if (t && t.inOffset + t.outOffset > 0) {
        // Luma without a wipe file dissolves from a_track to b_track; reverse when the incoming clip is on a_track.
        transitions.push(
          el(
            "transition",
            {
              id: `transition${transitionCount++}`,
              in: placed.start - t.inOffset,
              out: placed.start + t.outOffset - 1,
            },
            [
              prop("a_track", 0),
              prop("b_track", 1),
              prop("factory", "loader"),
              prop("mlt_service", "luma"),
              prop("kdenlive_id", "luma"),
              prop("kdenlive:mixcut", t.inOffset),
              prop("reverse", side === 0 ? 1 : 0),
              prop("softness", 0),
              prop("alpha_over", 1),
              prop("invert", 0),
              prop("refrain:transition", t.name),
            ],
          ),
        );
      }
    }
    return { playlists: lists, transitions };
  });

  const body: Node[] = [];
  body.push(
    el("profile", {
      description: `refrain ${width}x${height} ${rateToNumber(rate).toFixed(2)} fps`,
      width,
      height,
      progressive: 1,
      sample_aspect_num: 1,
      sample_aspect_den: 1,
      display_aspect_num: width,
      display_aspect_den: height,
      frame_rate_num: rate.num,
      frame_rate_den: rate.den,
      colorspace: 709,
    }),
  );
  for (const c of binClips)
    body.push(producer(c, c === song ? [prop("audio_index", 0), prop("video_index", -1)] : []));

  body.push(
    el("playlist", { id: "main_bin" }, [
      prop("kdenlive:docproperties.audioChannels", 2),
      prop("kdenlive:docproperties.documentid", options.documentId ?? "1700000000000"),
      prop("kdenlive:docproperties.kdenliveversion", "22.12.3"),
      prop("kdenlive:docproperties.profile", ""),
      prop("kdenlive:docproperties.seekOffset", 30000),
      prop("kdenlive:docproperties.version", "1.04"),
      prop("kdenlive:docproperties.zonein", 0),
      prop("kdenlive:docproperties.zoneout", total),
      prop("kdenlive:documentnotes", "Made by refrain"),
      prop("xml_retain", 1),
      ...binClips.map((c) =>
        el("entry", { producer: c.producerId, in: 0, out: Math.max(0, c.lengthFrames - 1) }),
      ),
    ]),
  );
  body.push(
    el("producer", { id: "black_track", in: 0, out: Math.max(0, total - 1) }, [
      prop("length", 2147483647),
      prop("eof", "continue"),
      prop("resource", "black"),
      prop("aspect_ratio", 1),
      prop("mlt_service", "color"),
      prop("mlt_image_format", "rgba"),
      prop("set.test_audio", 0),
    ]),
  );

  // Audio track: the song from its first sample for the whole timeline.
  const songOut = Math.min(total, songFrames) - 1;
  body.push(
    el("playlist", { id: "playlist0" }, [
      prop("kdenlive:audio_track", 1),
      el("entry", { producer: song.producerId, in: 0, out: songOut }, [prop("kdenlive:id", song.kdenliveId)]),
    ]),
    el("playlist", { id: "playlist1" }, [prop("kdenlive:audio_track", 1)]),
    trackTractor("tractor0", ["playlist0", "playlist1"], true),
  );
  const trackIds = ["tractor0"];
  videoTracks.forEach((v, i) => {
    const a = `playlist${2 + 2 * i}`;
    const b = `playlist${3 + 2 * i}`;
    body.push(el("playlist", { id: a }, v.playlists[0]), el("playlist", { id: b }, v.playlists[1]));
    body.push(trackTractor(`tractor${i + 1}`, [a, b], false, v.transitions));
    trackIds.push(`tractor${i + 1}`);
  });

  // The main tractor: black background, the tracks, and Kdenlive's internal compositing between them.
  const internal: Node[] = trackIds.map((_, i) =>
    i === 0
      ? el("transition", { id: `transition${transitionCount++}` }, [
          prop("a_track", 0),
          prop("b_track", 1),
          prop("mlt_service", "mix"),
          prop("kdenlive_id", "mix"),
          prop("internal_added", 237),
          prop("always_active", 1),
          prop("accepts_blanks", 1),
          prop("sum", 1),
        ])
      : el("transition", { id: `transition${transitionCount++}` }, [
          prop("a_track", 0),
          prop("b_track", i + 1),
          prop("mlt_service", "qtblend"),
          prop("kdenlive_id", "qtblend"),
          prop("internal_added", 237),
          prop("always_active", 1),
          prop("compositing", 0),
        ]),
  );
  const subtitles = options.subtitlesPath
    ? [
        el("filter", { id: "subtitles" }, [
          prop("mlt_service", "avfilter.subtitles"),
          prop("internal_added", 237),
          prop("av.filename", options.subtitlesPath),
          prop("av.alpha", 1),
        ]),
      ]
    : [];
  body.push(
    el("tractor", { id: `tractor${trackIds.length}`, in: 0, out: Math.max(0, total - 1) }, [
      el("track", { producer: "black_track" }),
      ...trackIds.map((id) => el("track", { producer: id })),
      ...internal,
      ...subtitles,
    ]),
  );

  const root = el(
    "mlt",
    {
      LC_NUMERIC: "C",
      producer: "main_bin",
      version: options.mltVersion ?? "7.12.0",
      root: dirname(timeline.audio.path),
    },
    body,
  );
  const builder = new XMLBuilder({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    indentBy: " ",
    suppressEmptyNode: true,
  });
  return `<?xml version='1.0' encoding='utf-8'?>\n${(builder.build([root]) as string).trimStart()}`;
}

/** Writes `buildKdenlive(timeline)` to `path` atomically. */
export async function writeKdenlive(
  timeline: Timeline,
  path: string,
  options: KdenliveOptions = {},
): Promise<void> {
  await writeFileAtomic(path, buildKdenlive(timeline, options));
}
