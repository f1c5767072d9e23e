// The project file: what users write, and the errors they see when it is wrong.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import {
  createProject,
  fieldLocation,
  frameSize,
  loadProject,
  parseProject,
  projectTemplate,
} from "./index.js";

function errorOf(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserInputError) return e;
    throw e;
  }
  throw new Error("expected a UserInputError");
}

describe("refrain.yaml", () => {
  it("fills every default from a minimal file", () => {
    const p = parseProject("version: 1\nsong: a.mp3\nimage: b.png\n", "refrain.yaml");
    expect(p.output).toMatchObject({ aspect: "16:9", resolution: 720, fps: 25, fit: "crop" });
    expect(p.clip.provider).toBe("local");
  });

  it("keeps provider settings it does not know under clip", () => {
    const p = parseProject(
      "version: 1\nsong: a\nimage: b\nclip:\n  provider: comfyui\n  url: http://127.0.0.1:8188\n",
      "f",
    );
    expect(p.clip.url).toBe("http://127.0.0.1:8188");
  });

  it("names file, line, column and field for a wrong value", () => {
    const text = "version: 1\nsong: a.mp3\nimage: b.png\noutput:\n  aspect: 4:3\n";
    const e = errorOf(() => parseProject(text, "my/refrain.yaml"));
    expect(e.shortMessage).toMatch(/^my\/refrain\.yaml:5:11: output\.aspect: /);
  });

  it("names an unknown field", () => {
    const e = errorOf(() => parseProject("version: 1\nsong: a\nimage: b\nimgae: c\n", "refrain.yaml"));
    expect(e.shortMessage).toContain('unknown field "imgae"');
  });

  it("says which required field is missing", () => {
    const e = errorOf(() => parseProject("version: 1\nsong: a.mp3\n", "refrain.yaml"));
    expect(e.shortMessage).toBe("refrain.yaml:1:1: image: is required");
  });

  it("reports YAML syntax errors with their position", () => {
    const e = errorOf(() => parseProject("version: 1\nsong: [a\nimage: b\n", "refrain.yaml"));
    expect(e.shortMessage).toMatch(/^refrain\.yaml:\d+:\d+: YAML error/);
  });

  it("accepts per-section transitions and hard cuts on downbeats", () => {
    const p = parseProject(
      "version: 1\nsong: a\nimage: b\noutput:\n  transition: wipeleft\n  transitions:\n    Chorus: circlecrop\n  hard_cuts_on_downbeats: true\n",
      "refrain.yaml",
    );
    expect(p.output).toMatchObject({
      transition: "wipeleft",
      transitions: { Chorus: "circlecrop" },
      hard_cuts_on_downbeats: true,
    });
  });

  it("names an unknown transition with where it is", () => {
    const e = errorOf(() =>
      parseProject("version: 1\nsong: a\nimage: b\noutput:\n  transition: swirl\n", "refrain.yaml"),
    );
    expect(e.shortMessage).toMatch(/^refrain\.yaml:5:15: output\.transition: not a transition/);
  });

  it("rejects a file of another version", () => {
    const e = errorOf(() => parseProject("version: 2\nsong: a\nimage: b\n", "refrain.yaml"));
    expect(e.shortMessage).toContain("version must be 1");
  });

  it("the template refrain new writes is itself a valid project", () => {
    const text = projectTemplate({
      song: "song.mp3",
      image: "image.png",
      lyrics: "lyrics.lrc",
      provider: "local",
      title: "x",
    });
    expect(text.startsWith("version: 1")).toBe(true);
    expect(parseProject(text, "refrain.yaml").lyrics).toBe("lyrics.lrc");
  });

  it("the template's comments line up in one column past the indent, whatever the title, files and provider", () => {
    for (const o of [
      { song: "s.mp3", image: "i.png", provider: "fal", title: "x" },
      { song: "song.mp3", image: "image.png", lyrics: "lyrics.lrc", provider: "local", title: "my-song" },
      { song: "a.wav", image: "face.jpg", provider: "infinitetalk", title: "night" },
    ]) {
      // Every setting line (not the commented-out examples) with a comment after its value.
      const columns = projectTemplate(o)
        .split("\n")
        .filter((l) => /^\s*[a-z_]+: .*\s# /.test(l))
        .map((l) => l.indexOf(" # ") + 1 - (l.length - l.trimStart().length));
      expect(columns.length).toBeGreaterThan(10);
      expect(new Set(columns), JSON.stringify(o)).toEqual(new Set([columns[0]]));
    }
  });
});

describe("fieldLocation", () => {
  it("points at a nested field, or at the deepest part of its path the file has", () => {
    const text = "version: 1\nclip:\n  seed: 1\n  provider: lcoal\n";
    expect(fieldLocation(text, "refrain.yaml", ["clip", "provider"])).toBe("refrain.yaml:4:13");
    expect(fieldLocation(text, "refrain.yaml", ["clip", "vocal", "provider"])).toBe("refrain.yaml:3:3");
  });
});

describe("refrain new", () => {
  const made: string[] = [];
  const tempRoot = async () => {
    const root = await mkdtemp(join(tmpdir(), "refrain-new-"));
    made.push(root);
    return root;
  };
  afterEach(async () => {
    for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it("copies the inputs into a folder with spaces and Chinese characters and loads back", async () => {
    const root = await tempRoot();
    await writeFile(join(root, "my song.mp3"), "x");
    await writeFile(join(root, "歌手.png"), "y");
    const dir = await createProject(join(root, "我的 视频"), {
      song: join(root, "my song.mp3"),
      image: join(root, "歌手.png"),
    });
    const project = await loadProject(dir);
    expect(project.name).toBe("我的 视频");
    expect(await readFile(project.songPath, "utf8")).toBe("x");
    expect(project.imagePath.endsWith("image.png")).toBe(true);
  });

  it("refuses a missing song with the path in the message", async () => {
    const root = await tempRoot();
    await expect(
      createProject(join(root, "p"), { song: join(root, "nope.mp3"), image: "x" }),
    ).rejects.toThrow(/song .*nope\.mp3: no such file/);
  });

  it("refuses to overwrite an existing project", async () => {
    const root = await tempRoot();
    await writeFile(join(root, "s.wav"), "x");
    await writeFile(join(root, "i.png"), "y");
    await createProject(join(root, "p"), { song: join(root, "s.wav"), image: join(root, "i.png") });
    await expect(
      createProject(join(root, "p"), { song: join(root, "s.wav"), image: join(root, "i.png") }),
    ).rejects.toThrow(/already exists/);
  });
});

describe("frame sizes", () => {
  it.each([
    ["16:9", 720, 1280, 720],
    ["9:16", 720, 720, 1280],
    ["1:1", 480, 480, 480],
    ["16:9", 480, 854, 480],
  ] as const)("%s at %i is %i×%i", (aspect, res, w, h) => {
    expect(frameSize(aspect, res)).toEqual({ width: w, height: h });
  });
});
