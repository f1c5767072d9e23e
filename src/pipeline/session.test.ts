// Which store a project opens: SQLite by default, a team's PostgreSQL when REFRAIN_DATABASE_URL is set, under a stable project id.
import { describe, expect, it } from "vitest";
import type { ProjectFile } from "../project/index.js";
import { projectIdFor, teamSetting } from "./session.js";

const project = (dir: string, config: Partial<ProjectFile> = {}) => ({ dir, config: config as ProjectFile });

describe("the project's id in a team database", () => {
  it("is project_id when the project file gives one", () => {
    expect(projectIdFor(project("/songs/a", { project_id: "Album-1.track_3", title: "Other" }))).toBe(
      "Album-1.track_3",
    );
  });

  it("is the title made lower-case with other characters as single dashes", () => {
    expect(projectIdFor(project("/songs/a", { title: "Team Song: Take #2!" }))).toBe("team-song-take-2");
  });

  it("is the folder's name without a title, wherever the folder is mounted", () => {
    const id = projectIdFor(project("/mnt/nfs/Summer Hit"));
    expect(id).toBe("summer-hit");
    expect(projectIdFor(project("/Volumes/team/Summer Hit"))).toBe(id);
  });

  it("is a name the database accepts even when nothing usable is left", () => {
    expect(projectIdFor(project("/x", { title: "夏天" }))).toMatch(/^[a-z0-9._-]{1,100}$/);
    expect(projectIdFor(project("/x", { title: "a".repeat(300) })).length).toBeLessThanOrEqual(100);
  });
});

describe("the store a session opens", () => {
  it("is SQLite when REFRAIN_DATABASE_URL is unset or blank", () => {
    expect(teamSetting(project("/p"), {})).toBeUndefined();
    expect(teamSetting(project("/p"), { REFRAIN_DATABASE_URL: "  " })).toBeUndefined();
  });

  it("is PostgreSQL with media in the project's .refrain/media by default", () => {
    const t = teamSetting(project("/p", { title: "Song" }), {
      REFRAIN_DATABASE_URL: "postgres://db/refrain",
    });
    expect(t).toEqual({ url: "postgres://db/refrain", projectId: "song", mediaRoot: "/p/.refrain/media" });
  });

  it("keeps media in REFRAIN_MEDIA_DIR, a relative one resolved against the project", () => {
    const env = { REFRAIN_DATABASE_URL: "postgres://db/refrain", REFRAIN_MEDIA_DIR: "/shared/media" };
    expect(teamSetting(project("/p"), env)?.mediaRoot).toBe("/shared/media");
    expect(teamSetting(project("/p"), { ...env, REFRAIN_MEDIA_DIR: "../media" })?.mediaRoot).toBe("/media");
  });
});
