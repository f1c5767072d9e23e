// Continuity mode: chains planned from sections, each link started from the last frame of the previous pick, in order, chains side by side.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findTools, runFfmpeg } from "../media/index.js";
import type { SegmentKind } from "../plan/types.js";
import { hashFile, type Store, type Take } from "../store/index.js";
import {
  type ChainSegment,
  chainJobs,
  type FaceTest,
  markBrokenChainsStale,
  planChains,
  refreshChainStaleness,
} from "./continuity.js";
import { decide } from "./decide.js";
import { generate } from "./run.js";
import { pickTake, rerollSegment } from "./takes.js";
import {
  type FakeProvider,
  fakeJobs,
  fakeProvider,
  type TempProject,
  tempProject,
  virtualClock,
} from "./testing.js";
import type { EngineEvent, JobSpec } from "./types.js";

const seg = (index: number, section?: string, kind: SegmentKind = "vocal"): ChainSegment => ({
  index,
  kind,
  ...(section === undefined ? {} : { section }),
});

describe("planChains", () => {
  const song = [
    seg(0, "Intro", "instrumental"),
    seg(1, "Verse 1"),
    seg(2, "Verse 1"),
    seg(3, "Verse 1"),
    seg(4, "Chorus"),
    seg(5, "Chorus"),
    seg(6, "Verse 2"),
    seg(7, "Verse 2"),
  ];

  it("is off without a setting: every segment starts from the key image", () => {
    expect(planChains(song, undefined)).toEqual(song.map((s) => [s.index]));
    expect(planChains(song, { sections: [], reanchorEvery: 4 })).toEqual(song.map((s) => [s.index]));
  });

  it("chains consecutive segments of the named sections, re-anchoring at each section boundary", () => {
    expect(planChains(song, { sections: ["verse"], reanchorEvery: 4 })).toEqual([
      [0],
      [1, 2, 3],
      [4],
      [5],
      [6, 7],
    ]);
    expect(planChains(song, { sections: ["Chorus", "verse 2"], reanchorEvery: 4 })).toEqual([
      [0],
      [1],
      [2],
      [3],
      [4, 5],
      [6, 7],
    ]);
  });

  it("re-anchors every N segments, and where the segment kind (so the provider) changes", () => {
    const long = [0, 1, 2, 3, 4, 5, 6].map((i) => seg(i, "Verse"));
    expect(planChains(long, { sections: "all", reanchorEvery: 3 })).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const mixed = [seg(0, "Bridge"), seg(1, "Bridge", "instrumental"), seg(2, "Bridge", "instrumental")];
    expect(planChains(mixed, { sections: "all", reanchorEvery: 8 })).toEqual([[0], [1, 2]]);
  });

  it('with sections "all", segments without a section name form one section', () => {
    const unnamed = [seg(0), seg(1), seg(2)];
    expect(planChains(unnamed, { sections: "all", reanchorEvery: 2 })).toEqual([[0, 1], [2]]);
    expect(planChains(unnamed, { sections: ["verse"], reanchorEvery: 2 })).toEqual([[0], [1], [2]]);
  });
});

describe("decide with priorities", () => {
  it("gives a scarce slot to the job with the most chain left, then keeps job order", () => {
    const job = (index: number, priority?: number) => ({
      index,
      phase: "pending" as const,
      busy: false,
      notBefore: 0,
      ...(priority === undefined ? {} : { priority }),
    });
    const d = decide({
      now: 0,
      stopping: false,
      budgetStopped: false,
      endpoints: [{ id: "a", concurrency: 2 }],
      jobs: [job(0), job(1, 1), job(2, 3), job(3, 3)],
    });
    expect(d.actions.map((a) => a.job)).toEqual([2, 3]);
  });
});

const tools = findTools(process.env);

/** A take's first and last colour, from its seed; seeds in `faceless` end on black ("no face"). */
function colours(seed: number, faceless: ReadonlySet<number>): { first: number[]; last: number[] } {
  const first = [40 + ((seed * 37) % 180), 40 + ((seed * 53) % 180), 40 + ((seed * 71) % 180)];
  const last = faceless.has(seed)
    ? [0, 0, 0]
    : [40 + ((seed * 91) % 180), 40 + ((seed * 13) % 180), 40 + ((seed * 29) % 180)];
  return { first, last };
}

const hex = (c: number[]) => c.map((v) => v.toString(16).padStart(2, "0")).join("");

/** The colour of an image's top-left pixel. */
async function pixel(image: string): Promise<number[]> {
  const r = await runFfmpeg(
    tools,
    ["-i", image, "-frames:v", "1", "-vf", "crop=1:1:0:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    { captureStdout: true },
  );
  return [...r.stdout!.subarray(0, 3)];
}

const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 6);

/** The engine's fake provider, handing back real (tiny) videos: one colour, then another for the end. */
function videoProvider(clock: ReturnType<typeof virtualClock>, faceless: ReadonlySet<number>): FakeProvider {
  const fake = fakeProvider({ ...clock, concurrency: 2, latencyMs: 1_000 });
  const fetchText = fake.fetch.bind(fake);
  fake.fetch = async (remoteId, dest, signal) => {
    await fetchText(remoteId, dest, signal);
    const { first, last } = colours(fake.book.get(remoteId)!.seed, faceless);
    const color = (c: number[]) => `color=c=0x${hex(c)}:s=32x32:r=25:d=0.2`;
    await runFfmpeg(tools, [
      "-y",
      ...["-f", "lavfi", "-i", color(first), "-f", "lavfi", "-i", color(last)],
      ...["-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]"],
      ...["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", "-f", "mp4", dest],
    ]);
  };
  return fake;
}

/** "No face" when the frame is black, as the faceless takes end. */
const blackIsFaceless: FaceTest = async (_tools, image) => !near(await pixel(image), [0, 0, 0]);

describe("continuity chains in the engine", () => {
  let project: TempProject;
  let store: Store;
  const keyHash = "1".repeat(64);
  beforeEach(async () => {
    project = await tempProject("refrain-continuity-");
    store = project.open();
  });
  afterEach(() => project.cleanup());

  /** One run over `chains` of fakeJobs(n); returns events in order and warnings. */
  async function run(
    provider: FakeProvider,
    clock: ReturnType<typeof virtualClock>,
    chains: number[][],
    n: number,
    over: { store?: Store } = {},
  ) {
    const events: EngineEvent[] = [];
    const warnings: string[] = [];
    const s = over.store ?? store;
    const chained = chainJobs({
      store: s,
      tools,
      chains,
      jobs: fakeJobs(n),
      hasFace: blackIsFaceless,
      warn: (l) => warnings.push(l),
      now: clock.now,
    });
    const report = await generate({
      store: s,
      providers: [provider],
      jobs: chained.first,
      after: chained.after,
      ...clock,
      pollIntervalMs: 100,
      onEvent: (e) => events.push(e),
    });
    return { report, events, warnings };
  }

  const takeOf = (takes: Take[], segment: number) => takes.filter((t) => t.segment === segment);
  const pickOf = (takes: Take[], segment: number) =>
    takes.find((t) => t.segment === segment && t.picked && !t.stale)!;

  it("runs each chain in order from the last frame of the previous pick, chains side by side", async () => {
    const clock = virtualClock();
    const provider = videoProvider(clock, new Set());
    // Verse 0–3 re-anchored after 3, chorus 4–6: three chains on two slots.
    const chains = [[0, 1, 2], [3], [4, 5, 6]];
    const { report, events } = await run(provider, clock, chains, 7);

    expect(report.succeeded.map((s) => s.segment).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(provider.calls.submit).toBe(7);

    // Order: a link is submitted only after the segment before it finished.
    const at = (type: string, segment: number) =>
      events.findIndex((e) => e.type === type && "segment" in e && e.segment === segment);
    for (const chain of chains)
      for (let i = 1; i < chain.length; i++)
        expect(at("submitted", chain[i]!)).toBeGreaterThan(at("succeeded", chain[i - 1]!));
    // Parallel: both of the provider's slots were busy at once, with different chains.
    const remote = provider.book.all();
    const busyAt = (t: number) => remote.filter((j) => j.submittedAt <= t && t < j.submittedAt + j.latencyMs);
    const most = Math.max(...remote.map((j) => busyAt(j.submittedAt).length));
    expect(most).toBe(2);
    const chainOf = (segment: number) => chains.findIndex((c) => c.includes(segment));
    expect(remote.some((j) => new Set(busyAt(j.submittedAt).map((b) => chainOf(b.segment))).size === 2)).toBe(
      true,
    );
    // The longest chains start first.
    expect(
      events
        .filter((e) => e.type === "submitted")
        .slice(0, 2)
        .map((e) => e.segment),
    ).toEqual([0, 4]);

    const takes = await store.listTakes();
    for (const chain of chains) {
      expect(takeOf(takes, chain[0]!)[0]!.imageHash).toBe(keyHash);
      for (let i = 1; i < chain.length; i++) {
        const before = pickOf(takes, chain[i - 1]!);
        const take = takeOf(takes, chain[i]!)[0]!;
        const spec = take.spec as JobSpec;
        expect(spec.startFrom?.takeId).toBe(before.id);
        // The job's image hash is the hash of the frame it was given…
        expect(await hashFile(spec.image)).toBe(take.imageHash);
        // …and that frame is the last one of the previous take, not its first.
        const { first, last } = colours(before.seed, new Set());
        const got = await pixel(spec.image);
        expect(near(got, last)).toBe(true);
        expect(near(got, first)).toBe(false);
      }
    }
  }, 20_000);

  it("re-anchors to the key image, with a warning, when the last frame shows no face", async () => {
    const clock = virtualClock();
    const provider = videoProvider(clock, new Set([1000])); // segment 0's take ends faceless
    const { report, warnings } = await run(provider, clock, [[0, 1, 2]], 3);
    expect(report.succeeded).toHaveLength(3);
    const takes = await store.listTakes();
    expect(takeOf(takes, 1)[0]!.imageHash).toBe(keyHash);
    expect((takeOf(takes, 1)[0]!.spec as JobSpec).startFrom).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/^segment 1: .* shows no face; it starts from the key image/),
    ]);
    // The chain goes on from segment 1's own last frame.
    expect((takeOf(takes, 2)[0]!.spec as JobSpec).startFrom?.segment).toBe(1);
  }, 20_000);

  it("a re-pick marks the chained takes after it stale; the next run remakes them from the new frame", async () => {
    const clock = virtualClock();
    const provider = videoProvider(clock, new Set());
    await run(provider, clock, [[0, 1, 2], [3]], 4);
    const old = await store.listTakes();

    const [reroll] = await rerollSegment(store, 1, { seeds: [77] });
    await generate({ store, providers: [provider], jobs: [reroll!], ...clock, pollIntervalMs: 100 });
    // A re-roll adds a candidate; the chain follows the pick, so nothing is stale yet.
    expect((await store.listTakes()).filter((t) => t.stale)).toEqual([]);
    const fresh = (await store.listTakes({ segment: 1 })).find((t) => t.seed === 77)!;
    await pickTake(store, 1, fresh.id);

    const afterPick = await store.listTakes();
    const staleIds = afterPick.filter((t) => t.stale).map((t) => t.id);
    expect(staleIds).toEqual([takeOf(old, 2)[0]!.id]);
    expect(afterPick).toHaveLength(old.length + 1); // kept, never deleted

    const submitsBefore = provider.calls.submit;
    await run(provider, clock, [[0, 1, 2], [3]], 4);
    expect(provider.calls.submit - submitsBefore).toBe(1);
    const now = await store.listTakes();
    const two = pickOf(now, 2);
    expect(two.id).not.toBe(takeOf(old, 2)[0]!.id);
    expect((two.spec as JobSpec).startFrom?.takeId).toBe(fresh.id);
    expect(near(await pixel((two.spec as JobSpec).image), colours(77, new Set()).last)).toBe(true);
    expect(now.find((t) => t.id === takeOf(old, 2)[0]!.id)!.stale).toBe(true);
    // Re-picking the first take again makes the take from the re-roll's frame stale in turn; the
    // refresh before the next run finds the first chain current again, and nothing is paid twice.
    await pickTake(store, 1, takeOf(old, 1)[0]!.id);
    expect((await store.listTakes()).filter((t) => t.stale).map((t) => t.id)).toContain(two.id);
    const baseKeys = new Map(fakeJobs(4).map((j) => [j.segment, j.segmentKey]));
    expect(await refreshChainStaleness(store, [[0, 1, 2], [3]], baseKeys)).toBe(1);
    expect((await store.listTakes()).filter((t) => t.stale).map((t) => t.id)).toEqual([two.id]);
    expect(await markBrokenChainsStale(store)).toBe(0);
    const again = await run(provider, clock, [[0, 1, 2], [3]], 4);
    expect(again.report.submissions).toBe(0);
    expect(again.report.succeeded.find((s) => s.segment === 2)?.takeId).toBe(takeOf(old, 2)[0]!.id);
  }, 30_000);

  it("resumes a chain after a crash mid-chain: the in-flight link is polled, never submitted again", async () => {
    const clock = virtualClock();
    const provider = videoProvider(clock, new Set());
    // The process "dies" right after segment 1's submit is recorded.
    const crashing: Store = Object.create(store, {
      markSubmitted: {
        value: async (id: string, remoteId: string, at: number) => {
          await store.markSubmitted(id, remoteId, at);
          if ((await store.getTake(id))?.segment === 1) throw new Error("simulated crash");
        },
      },
    });
    await expect(run(provider, clock, [[0, 1, 2]], 3, { store: crashing })).rejects.toThrow(
      /simulated crash/,
    );
    const inFlight = takeOf(await store.listTakes(), 1);
    expect(inFlight.map((t) => t.status)).toEqual(["submitted"]);

    const { report } = await run(provider, clock, [[0, 1, 2]], 3);
    expect(report.succeeded.map((s) => [s.segment, s.earlier])).toEqual([
      [0, true],
      [1, false],
      [2, false],
    ]);
    const takes = await store.listTakes();
    expect(takes).toHaveLength(3);
    expect(takeOf(takes, 1)[0]!.id).toBe(inFlight[0]!.id);
    expect(provider.calls.submit).toBe(3);
    expect(provider.book.all()).toHaveLength(3);
  }, 20_000);
});
