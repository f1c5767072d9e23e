// Quoting values for ffmpeg filtergraphs, shared by every place that writes a filter option.

/**
 * Escapes a value for an ffmpeg filter option inside a filtergraph: quoted for the option parser,
 * then its quotes and backslashes escaped for the graph parser (ffmpeg-filters "Notes on filtergraph escaping").
 */
export function escapeFilterValue(value: string): string {
  const level1 = `'${value.replaceAll("'", `'\\''`)}'`;
  return level1.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
