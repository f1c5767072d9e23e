// `refrain make`: analyse → plan → generate → render, each stage skipped when its key is unchanged.
import type { Analysis } from "../analysis/types.js";
import type { EngineEvent, GenerateReport } from "../engine/index.js";
import { BudgetExceeded } from "../errors/index.js";
import { probeImage } from "../media/index.js";
import type { Plan } from "../plan/types.js";
import { generateStage } from "./generate.js";
import { type RenderOutcome, type RenderRequest, renderStage } from "./render.js";
import type { Session } from "./session.js";
import { ensureSources, requireSources } from "./sources.js";
import { analyzeStage, planStage, type StageOutcome } from "./stages.js";

export interface MakeOptions extends RenderRequest {
  /** Stop after planning and pricing: nothing is generated or spent. */
  dryRun?: boolean;
  onEvent?: (e: EngineEvent) => void;
  budgetUsd?: number;
}

export interface MakeResult {
  analysis: StageOutcome<Analysis>;
  plan: StageOutcome<Plan>;
  generation?: GenerateReport;
  render?: RenderOutcome;
  /** True when nothing had to be done. */
  upToDate: boolean;
}

export async function make(session: Session, options: MakeOptions = {}): Promise<MakeResult> {
  // A song or key image still to be made from lyrics_file / key_image comes first (may rewrite `lyrics:`).
  // A dry run spends nothing, so it cannot make them: it says what is missing instead.
  if (options.dryRun) await requireSources(session);
  else session = await ensureSources(session);
  // A bad image should stop the run before minutes of analysis, not after.
  await probeImage(session.tools, session.project.imagePath, session.signal);
  const analysis = await analyzeStage(session);
  const plan = await planStage(session, analysis);
  // Said once, when the plan is made (`refrain plan` prints them every time).
  if (!plan.cached) for (const w of plan.value.warnings) session.log(`warning: ${w}`);
  if (options.dryRun) return { analysis, plan, upToDate: false };
  const generation = await generateStage(session, plan.value, analysis.value, {
    onEvent: options.onEvent,
    budgetUsd: options.budgetUsd,
  });
  if (generation.cancelled) return { analysis, plan, generation, upToDate: false };
  // A video with black holes where the budget ran out is not what was asked for: stop and say so.
  // Finished takes stay in the store, so raising the budget and running again pays only for the rest.
  if (generation.budget?.refused.length) {
    const { committedUsd, budgetUsd, refused } = generation.budget;
    throw new BudgetExceeded(
      `budget reached: $${committedUsd.toFixed(2)} of $${budgetUsd.toFixed(2)} committed, ${refused.length} segment(s) not submitted (${refused.join(", ")})`,
      {
        hint: "raise `budget:` in refrain.yaml (or pass --max-spend) and run make again; finished takes are kept",
      },
    );
  }
  const render = await renderStage(session, plan.value, plan.keyHash, analysis.value, options);
  const generatedNothing = generation.submissions === 0 && generation.succeeded.every((s) => s.earlier);
  return {
    analysis,
    plan,
    generation,
    render,
    upToDate: analysis.cached && plan.cached && generatedNothing && render.cached,
  };
}
