// The review page: every segment's takes beside the song; pick, reject, re-roll, lock, render, watch progress.
import {
  type AnalysisView,
  ApiError,
  type CostView,
  get,
  type JobView,
  type ProjectView,
  post,
  type RenderFile,
  type SegmentView,
  type TakeView,
  token,
  withToken,
} from "./api.js";
import { drawTimeline } from "./timeline.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const master = $<HTMLAudioElement>("master");
const messageBox = $<HTMLDivElement>("message");

let analysis: AnalysisView | null = null;
let segments: SegmentView[] = [];
const jobs = new Map<string, JobView>();
let movePlayhead: (s: number) => void = () => {};
/** The take playing in sync with the master audio, and where its segment ends. */
let syncing: { video: HTMLVideoElement; seg: SegmentView } | null = null;

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

const usd = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `$${v.toFixed(2)}`);
const secs = (v: number) => `${v.toFixed(2)} s`;

function showMessage(text: string, kind: "error" | "info" = "error"): void {
  messageBox.hidden = false;
  messageBox.className = `message ${kind}`;
  messageBox.replaceChildren(
    h("span", { class: "message-text" }, text),
    button(
      "Dismiss",
      () => {
        messageBox.hidden = true;
      },
      { "aria-label": "Dismiss message", class: "dismiss" },
    ),
  );
}

function button(
  label: string,
  onClick: () => void | Promise<void>,
  attrs: Record<string, string | number | boolean | undefined> = {},
): HTMLButtonElement {
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", () => {
    void run(onClick);
  });
  return b;
}

/** Runs an action; any failure becomes the page's message, never an uncaught error. */
async function run(action: () => void | Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    showMessage(e instanceof Error ? e.message : String(e));
    if (e instanceof ApiError && (e.status === 404 || e.status === 409)) await refresh().catch(() => {});
  }
}

// ---- cost ----

function renderCost(c: CostView): void {
  const over = c.budgetUsd !== null && c.spentUsd + c.reservedUsd > c.budgetUsd;
  $("cost").replaceChildren(
    h(
      "dl",
      {},
      h("div", {}, h("dt", {}, "Spent"), h("dd", { "data-cost": "spent" }, usd(c.spentUsd))),
      h("div", {}, h("dt", {}, "Reserved"), h("dd", { "data-cost": "reserved" }, usd(c.reservedUsd))),
      h(
        "div",
        {},
        h("dt", {}, "Estimate (1 take each)"),
        h("dd", { "data-cost": "estimated" }, usd(c.estimatedUsd)),
      ),
      h(
        "div",
        { class: over ? "over" : undefined },
        h("dt", {}, "Budget"),
        h("dd", { "data-cost": "budget" }, c.budgetUsd === null ? "none" : usd(c.budgetUsd)),
      ),
      h(
        "div",
        {},
        h("dt", {}, "Takes"),
        h("dd", {}, `${c.takes.succeeded} ok · ${c.takes.failed} failed · ${c.takes.picked} picked`),
      ),
    ),
  );
}

// ---- segments and takes ----

function stopSync(): void {
  if (!syncing) return;
  syncing.video.pause();
  syncing.video.closest(".take")?.classList.remove("playing");
  syncing = null;
  master.pause();
}

/** Plays a take muted from its segment's start with the master audio from the same point. */
async function playInSync(video: HTMLVideoElement, seg: SegmentView): Promise<void> {
  stopSync();
  syncing = { video, seg };
  video.closest(".take")?.classList.add("playing");
  video.muted = true;
  video.currentTime = seg.handleBeforeS;
  master.currentTime = seg.start;
  await Promise.all([video.play(), master.play()]).catch((e: unknown) => {
    stopSync();
    throw new Error(`cannot play take: ${e instanceof Error ? e.message : String(e)}`);
  });
}

master.addEventListener("timeupdate", () => {
  movePlayhead(master.currentTime);
  if (!syncing) return;
  const { video, seg } = syncing;
  if (master.currentTime >= seg.end) {
    stopSync();
    return;
  }
  // Keep the picture on the song: nudge it when it drifts more than a frame or two.
  const want = master.currentTime - seg.start + seg.handleBeforeS;
  if (Math.abs(video.currentTime - want) > 0.08) video.currentTime = want;
});
master.addEventListener("pause", () => {
  if (syncing) syncing.video.pause();
});

function takeCard(seg: SegmentView, t: TakeView, n: number): HTMLElement {
  const name = `take ${n} (seed ${t.seed})`;
  const classes = [
    "take",
    t.status,
    t.picked ? "picked" : "",
    t.rejected ? "rejected" : "",
    t.stale ? "stale" : "",
  ];
  const card = h("li", {
    class: classes.filter(Boolean).join(" "),
    "data-take": t.id,
    "aria-label": `Segment ${seg.index}, ${name}`,
  });
  if (t.media) {
    const video = h("video", {
      src: withToken(t.media),
      muted: true,
      preload: "metadata",
      playsinline: true,
      "aria-label": `Video of ${name}`,
    });
    video.muted = true;
    video.addEventListener("loadedmetadata", () => {
      // Show the frame at the segment's start rather than the handle's first frame.
      if (video.currentTime === 0) video.currentTime = Math.min(seg.handleBeforeS, video.duration || 0);
    });
    video.addEventListener("error", () => {
      card.classList.add("missing");
      card.querySelector(".take-status")!.textContent = "video file missing";
    });
    card.append(
      h("div", { class: "thumb" }, video),
      h(
        "div",
        { class: "take-actions" },
        button("▶ Play with song", () => playInSync(video, seg), {
          "aria-label": `Play ${name} with the song`,
          "data-focus": `play-${t.id}`,
        }),
      ),
    );
  } else {
    card.append(h("div", { class: "thumb empty" }, t.status === "failed" ? "failed" : t.status));
  }
  const status = t.picked
    ? "picked"
    : t.rejected
      ? "rejected"
      : t.status === "succeeded"
        ? "ready"
        : t.status;
  card.append(
    h(
      "p",
      { class: "take-meta" },
      h("span", { class: "take-name" }, name),
      " · ",
      h("span", { class: "take-status" }, status),
      " · ",
      usd(t.actualUsd ?? t.estimatedUsd),
      t.offsetMs !== null ? ` · offset ${t.offsetMs} ms` : null,
    ),
  );
  if (t.failureReason) card.append(h("p", { class: "take-error" }, t.failureReason));
  const actions = h("div", { class: "take-actions", role: "group", "aria-label": `Actions for ${name}` });
  if (t.status === "succeeded") {
    actions.append(
      button(t.picked ? "Picked" : "Pick", () => pick(seg, t), {
        "aria-pressed": t.picked ? "true" : "false",
        "aria-label": `Pick ${name} for segment ${seg.index}`,
        disabled: t.picked || t.rejected || seg.locked,
        class: "pick",
        "data-focus": `pick-${t.id}`,
      }),
      button(t.rejected ? "Restore" : "Reject", () => reject(t, !t.rejected), {
        "aria-label": `${t.rejected ? "Restore" : "Reject"} ${name}`,
        disabled: t.picked,
        class: "reject",
        "data-focus": `reject-${t.id}`,
      }),
    );
  }
  card.append(actions);
  return card;
}

function segmentPanel(seg: SegmentView): HTMLElement {
  const count = h("input", {
    type: "number",
    min: 1,
    max: 8,
    value: 1,
    id: `count-${seg.index}`,
    class: "count",
  });
  const seed = h("input", {
    type: "number",
    min: 0,
    placeholder: "random",
    id: `seed-${seg.index}`,
    class: "seed",
    "data-focus": `seed-${seg.index}`,
  });
  const running = [...jobs.values()].some(
    (j) => j.segment === seg.index && (j.status === "running" || j.status === "queued"),
  );
  const form = h(
    "form",
    { class: "reroll", "aria-label": `Re-roll segment ${seg.index}` },
    h("label", { for: count.id }, "Takes"),
    count,
    h("label", { for: seed.id }, "Seed"),
    seed,
    h(
      "button",
      { type: "submit", disabled: seg.locked || running, "data-focus": `reroll-${seg.index}` },
      running ? "Re-rolling…" : "Re-roll",
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(async () => {
      const body: { segment: number; count: number; seed?: number } = {
        segment: seg.index,
        count: Number(count.value) || 1,
      };
      if (seed.value !== "") body.seed = Number(seed.value);
      await post("reroll", body);
    });
  });
  const lock = h("input", {
    type: "checkbox",
    id: `lock-${seg.index}`,
    checked: seg.locked,
    disabled: !seg.pickedTakeId && !seg.locked,
    "data-focus": `lock-${seg.index}`,
  });
  lock.addEventListener("change", () => {
    void run(async () => {
      await post("lock", { segment: seg.index, locked: lock.checked });
      await refresh();
    });
  });
  const visible = seg.takes;
  return h(
    "article",
    {
      class: `segment ${seg.kind}${seg.locked ? " locked" : ""}`,
      id: `segment-${seg.index}`,
      "data-segment": seg.index,
    },
    h(
      "header",
      { class: "segment-head" },
      h(
        "h3",
        {},
        `Segment ${seg.index}`,
        h(
          "span",
          { class: "segment-when" },
          ` ${secs(seg.start)} – ${secs(seg.end)} · ${seg.kind}${seg.section ? ` · ${seg.section}` : ""}`,
        ),
      ),
      h("span", { class: "segment-estimate" }, `${usd(seg.estimatedUsd)} a take`),
      h("span", { class: "lock" }, lock, h("label", { for: lock.id }, seg.locked ? "Locked" : "Lock pick")),
      form,
    ),
    visible.length
      ? h(
          "ol",
          { class: "takes", "aria-label": `Takes of segment ${seg.index}` },
          ...visible.map((t, i) => takeCard(seg, t, i + 1)),
        )
      : h(
          "p",
          { class: "no-takes" },
          "No takes yet — re-roll needs one finished take; run `refrain generate` first.",
        ),
  );
}

function renderSegments(): void {
  // Rebuilding the list must not lose the keyboard user's place.
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.focus;
  if (syncing) stopSync();
  $("segment-list").replaceChildren(...segments.map(segmentPanel));
  if (focused) {
    const again = document.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focused)}"]`);
    if (again && !(again as HTMLButtonElement).disabled) again.focus();
  }
  if (analysis)
    movePlayhead = drawTimeline($("timeline"), analysis, segments, {
      onSeek: (s) => {
        master.currentTime = s;
      },
      onSegment: (i) => {
        const el = document.getElementById(`segment-${i}`);
        el?.scrollIntoView({ block: "nearest" });
        el?.querySelector<HTMLElement>("button, input")?.focus();
      },
    });
}

async function pick(seg: SegmentView, t: TakeView): Promise<void> {
  await post("pick", { segment: seg.index, takeId: t.id });
  await refresh();
}

async function reject(t: TakeView, rejected: boolean): Promise<void> {
  await post("reject", { takeId: t.id, rejected });
  await refresh();
}

// ---- jobs and renders ----

function renderJobs(): void {
  const list = [...jobs.values()].reverse();
  $("jobs").replaceChildren(
    ...(list.length
      ? list.map((j) =>
          h(
            "li",
            { class: `job ${j.status}`, "data-job": j.id },
            h("span", { class: "job-label" }, j.label),
            " ",
            h("span", { class: "job-status" }, j.status),
            j.status === "running" || j.status === "queued"
              ? h("progress", {
                  max: 1,
                  value: j.progress ?? 0,
                  "aria-label": `${j.label} progress`,
                })
              : null,
            j.message ? h("p", { class: "job-message" }, j.message) : null,
          ),
        )
      : [h("li", { class: "empty" }, "Nothing running.")]),
  );
}

function play(url: string): void {
  const player = $<HTMLVideoElement>("render-player");
  player.hidden = false;
  player.src = withToken(url);
  player.setAttribute("aria-label", `Rendered video ${decodeURIComponent(url.split("/").pop() ?? "")}`);
}

async function refreshRenders(): Promise<void> {
  const files = await get<RenderFile[]>("renders");
  $("renders").replaceChildren(
    ...files.map((f) =>
      h(
        "li",
        {},
        button(`▶ ${f.name}`, () => play(f.url), { "aria-label": `Play ${f.name}` }),
        ` ${(f.bytes / 1e6).toFixed(1)} MB`,
      ),
    ),
  );
}

function onJob(j: JobView): void {
  const before = jobs.get(j.id);
  jobs.set(j.id, j);
  renderJobs();
  if (before?.status !== j.status && (j.status === "done" || j.status === "failed")) {
    if (j.status === "failed") showMessage(`${j.label} failed: ${j.message ?? "unknown error"}`);
    if (j.status === "done" && j.output) {
      play(j.output);
      void run(refreshRenders);
    }
    void run(refresh);
  }
}

async function render(mode: "draft" | "final"): Promise<void> {
  await post("render", { mode });
}

// ---- start ----

async function refresh(): Promise<void> {
  const [segs, cost] = await Promise.all([get<SegmentView[]>("segments"), get<CostView>("cost")]);
  segments = segs;
  renderSegments();
  renderCost(cost);
}

function listen(): void {
  const events = new EventSource(withToken("/api/events"));
  let lost = false;
  events.addEventListener("hello", (ev) => {
    if (lost) {
      lost = false;
      messageBox.hidden = true;
      void run(refresh);
    }
    for (const j of (JSON.parse((ev as MessageEvent).data) as { jobs: JobView[] }).jobs) jobs.set(j.id, j);
    renderJobs();
  });
  events.addEventListener("job", (ev) => onJob(JSON.parse((ev as MessageEvent).data) as JobView));
  events.addEventListener("changed", () => {
    void run(refresh);
  });
  events.onerror = () => {
    lost = true;
    if (events.readyState === EventSource.CLOSED)
      showMessage("lost the live connection to the review server — reload the page once it runs again");
  };
}

async function start(): Promise<void> {
  if (!token) {
    showMessage("this page's address has no access token — open the address `refrain review` printed");
    return;
  }
  const project = await get<ProjectView>("project");
  document.title = `${project.name} — refrain review`;
  $("project-name").textContent = project.name;
  master.src = withToken(project.song);
  analysis = await get<AnalysisView>("analysis");
  $("render-draft").addEventListener("click", () => void run(() => render("draft")));
  $("render-final").addEventListener("click", () => void run(() => render("final")));
  renderJobs();
  await refresh();
  await refreshRenders();
  listen();
  document.body.dataset.ready = "true";
}

void run(start);
