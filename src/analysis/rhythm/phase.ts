// Which of the two phases of a found tempo is the beat: on the count or on the "and" between.
//
// The beat tracker follows the loudest onsets. In many rock and metal mixes the loudest hit is on
// the "and" (a snare or open hi-hat between the beats, a skank beat), so a whole section can be
// tracked half a beat off while the tempo is exact. What a listener counts on is where the kick
// and bass land and where the chords change: a chord is held from one beat and changes on the
// next, seldom on an "and". So, per stretch of beats, the sub-bass onsets (under any sung
// fundamental: a voice phrasing on the "and" must not count as a kick) and the harmonic change
// at the beats are compared with those halfway between; where the halfway points carry clearly
// more for several bars, the beats move there. A two-state Viterbi path (as found / moved half a
// beat) keeps the decision by stretch, as music keeps its phase for a section: a half-beat slip in
// the music itself needs a bar of odd length, which these songs do not have.

import { peakNear } from "./beats.js";
import { harmonicChange } from "./meter.js";

export interface PhaseEvidence {
  /** Low-band onset strength per frame: the sub-bass (kick, lowest bass notes), below any voice. */
  readonly low: Float32Array;
  /** Log levels of the tonal bands per frame, `tonalBands` each. */
  readonly tonal: Float32Array;
  readonly tonalBands: number;
}

/**
 * How much more evidence, per beat, the halfway points need before a stretch moves there: each
 * cue is scaled to its mean over the run, so 0.2 is the halfway points carrying about a fifth more
 * kick-and-bass plus chord change than the beats. Chosen on the Frets on Fire recordings
 * (docs/bench/rhythm.md): over stretches of 16 beats, at 0.2 two of 120 stretches tracked on the
 * beat would have moved and 19 of 41 tracked off it.
 */
const MARGIN = 0.2;
/**
 * Cost of moving into or out of the other phase, in the same units: a stretch moves when its
 * evidence beyond the margin sums to more than twice this. On the same recordings 1.5 scored best
 * of 0.75, 1.5, 3 and 5 (lower moves on-beat stretches on noise, higher leaves shorter off-beat
 * sections where they are), and margins of 0.1 and 0.3 did worse than 0.2 beside it.
 */
const SWITCH_COST = 1.5;

/**
 * The beats of one run, with each stretch where the halfway points carry clearly more low-band
 * onsets and harmonic change moved half a beat. Beats are frames, ascending, about one period apart.
 */
export function correctPhase(beats: readonly number[], evidence: PhaseEvidence): number[] {
  const n = beats.length;
  if (n < 4) return [...beats];
  const mids = beats.map((b, i) => (i + 1 < n ? (b + beats[i + 1]!) / 2 : b + (b - beats[i - 1]!) / 2));
  const lowOn = beats.map((f) => peakNear(evidence.low, f, 2));
  const lowMid = mids.map((f) => peakNear(evidence.low, f, 2));
  const harmOn = harmonicChange(evidence.tonal, evidence.tonalBands, beats);
  const harmMid = harmonicChange(evidence.tonal, evidence.tonalBands, mids);
  const lowScale = mean([...lowOn, ...lowMid]);
  const harmScale = mean([...harmOn.slice(1), ...harmMid.slice(1)]);
  // For each beat, how much more the halfway point after it carries than the beat itself.
  const lean = beats.map((_, i) => {
    let d = 0;
    if (lowScale > 0) d += (lowMid[i]! - lowOn[i]!) / lowScale;
    if (harmScale > 0 && i > 0) d += (harmMid[i]! - harmOn[i]!) / harmScale;
    return d;
  });

  // Viterbi over two states, 0 = as found, 1 = moved; moving pays the margin on every beat.
  const back = new Uint8Array(2 * n);
  let stay = 0;
  let moved = -SWITCH_COST;
  for (let i = 0; i < n; i++) {
    const toStay = stay >= moved - SWITCH_COST ? 0 : 1;
    const toMoved = moved >= stay - SWITCH_COST ? 1 : 0;
    const nextStay = (toStay === 0 ? stay : moved - SWITCH_COST) + 0;
    const nextMoved = (toMoved === 1 ? moved : stay - SWITCH_COST) + lean[i]! - MARGIN;
    back[2 * i] = toStay;
    back[2 * i + 1] = toMoved;
    stay = nextStay;
    moved = nextMoved;
  }
  const state = new Uint8Array(n);
  let s = stay >= moved ? 0 : 1;
  for (let i = n - 1; i >= 0; i--) {
    state[i] = s;
    s = back[2 * i + s]!;
  }
  if (!state.includes(1)) return [...beats];

  const placed = beats.map((b, i) => (state[i] ? mids[i]! : b));
  return evenOut(placed);
}

/**
 * Where a stretch was moved, its edges leave one gap of about two periods (moved forward after a
 * beat kept) or about half a period (a beat kept after a moved one): fill the first with its
 * midpoint, drop the later beat of the second, so the beats stay one period apart.
 */
function evenOut(beats: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < beats.length; i++) {
    const b = beats[i]!;
    const prev = out[out.length - 1];
    const period = localPeriod(beats, i);
    if (prev !== undefined && b - prev < 0.75 * period) continue;
    if (prev !== undefined && b - prev > 1.75 * period && b - prev < 2.25 * period) out.push((prev + b) / 2);
    out.push(b);
  }
  return out;
}

/** The median of up to four neighbouring intervals around beat i. */
function localPeriod(beats: readonly number[], i: number): number {
  const gaps: number[] = [];
  for (let k = Math.max(1, i - 2); k <= Math.min(beats.length - 1, i + 2); k++)
    gaps.push(beats[k]! - beats[k - 1]!);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] ?? 1;
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}
