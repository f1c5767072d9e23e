// Songs, stems and images cost money too: their recorded costs, and the check that a new paid request stays within the project's budget.
import { BudgetExceeded } from "../../errors/index.js";
import type { MediaTake } from "./takes.js";
import { MediaTakes } from "./takes.js";

export interface MediaSpend {
  /** Song and stem takes (a request still waiting counts at its estimate). */
  readonly songsUsd: number;
  readonly imagesUsd: number;
}

/** What a list of takes has cost: the charged amount when known, else the estimate held for it. Pure. */
export function takesUsd(takes: readonly MediaTake[]): number {
  return takes.reduce((sum, t) => sum + (t.actualUsd ?? t.estimatedUsd), 0);
}

/** The recorded cost of every song, stem and image take of the project. */
export async function mediaSpend(projectDir: string): Promise<MediaSpend> {
  const [songs, stems, images] = await Promise.all(
    (["songs", "stems", "images"] as const).map((k) => new MediaTakes(projectDir, k).list()),
  );
  return { songsUsd: takesUsd(songs!) + takesUsd(stems!), imagesUsd: takesUsd(images!) };
}

export interface MediaBudgetCheck {
  /** `budget:` of refrain.yaml; undefined means no limit. */
  readonly budgetUsd: number | undefined;
  /** The engine's ledger: clips charged and held. */
  readonly engineUsd: number;
  readonly spend: MediaSpend;
  /** This request's estimate. */
  readonly estimateUsd: number;
  /** What is about to be paid for, for the message ("a song request", "an image"). */
  readonly what: string;
}

/** Throws BudgetExceeded (exit 5) when clips + songs + images + this estimate would cross the budget. Pure. */
export function checkMediaBudget(c: MediaBudgetCheck): void {
  if (c.budgetUsd === undefined || c.estimateUsd <= 0) return;
  const spent = c.engineUsd + c.spend.songsUsd + c.spend.imagesUsd;
  if (spent + c.estimateUsd <= c.budgetUsd + 1e-9) return;
  const $ = (n: number) => `$${n.toFixed(2)}`;
  throw new BudgetExceeded(
    `budget reached: ${c.what} (about ${$(c.estimateUsd)}) would bring spending to ${$(spent + c.estimateUsd)} of ${$(c.budgetUsd)} ` +
      `(clips ${$(c.engineUsd)}, songs ${$(c.spend.songsUsd)}, images ${$(c.spend.imagesUsd)})`,
    { hint: "raise `budget:` in refrain.yaml; nothing was paid for this request" },
  );
}
