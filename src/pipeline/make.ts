// `refrain make`: analyse → plan → generate → render, each stage skipped when its key is unchanged.
import type { Analysis } from "../analysis/types.js";
import type { EngineEvent, GenerateReport } from "../engine/index.js";
import { probeImage } from "../media/index.js";
import type { Plan } from "../plan/types.js";
import { generateStage } from "./generate.js";
import { type RenderOutcome, type RenderRequest, renderStage } from "./render.js";
import type { Session } from "./session.js";
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
  // A bad image should stop the run before minutes of analysis, not after.
  await probeImage(session.tools, session.project.imagePath, session.signal);
  const analysis = await analyzeStage(session);
  const plan = await planStage(session, analysis);
  if (options.dryRun) return { analysis, plan, upToDate: false };
  const generation = await generateStage(session, plan.value, analysis.value, {
    onEvent: options.onEvent,
    budgetUsd: options.budgetUsd,
  });
  if (generation.cancelled) return { analysis, plan, generation, upToDate: false };
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
