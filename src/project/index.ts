// project: the refrain.yaml file, its validation, `refrain new`, and output paths.

export type { Project } from "./load.js";
export { fieldLocation, loadProject, parseProject } from "./load.js";
export type { NewProjectOptions } from "./new.js";
export { createProject, projectTemplate } from "./new.js";
export type { FrameSize } from "./output.js";
export { defaultOutputPath, frameSize } from "./output.js";
export type { Aspect, OutputSettings, ProjectFile } from "./schema.js";
export { ASPECTS, PROJECT_FILE, PROJECT_VERSION, ProjectSchema } from "./schema.js";
