// plot: a picture of the analysis and plan — waveform, beats, voice, lyrics, cuts, a time ruler — with its words as ASS text.
//
// The pixels (plotAnalysis) need no font and are tested as values; the words (plotLabels, plotAss)
// are laid out as plain values too and burnt in by media's writePng, which falls back to the bare
// pixels where no font is installed.

export { plotAnalysis, type RgbImage } from "./draw.js";
export {
  HEADER,
  LANES,
  LEGEND,
  type LegendEntry,
  legendSlots,
  PLOT_COLOURS,
  PLOT_LEGEND,
  type PlotGeometry,
  type PlotOptions,
  plotGeometry,
  ROW_HEIGHT,
  rulerTicks,
  textWidth,
} from "./geometry.js";
export {
  fitText,
  type PlotLabel,
  type PlotLabelKind,
  type PlotLabelOptions,
  plotAss,
  plotLabels,
} from "./labels.js";
export {
  type CutInsideWord,
  cutsInsideWords,
  type PlotVerdict,
  plotVerdict,
  spansSplitBy,
} from "./verdict.js";
