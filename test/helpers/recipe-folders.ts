// Temporary recipe roots for tests of stage declarations: no test touches the checkout's recipes/.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export type Declaration = Record<string, unknown>;

/** A recipes root holding the given stages: name → [stage.json (object or raw text), files]. */
export async function recipeRoot(stages: Record<string, [Declaration | string, Record<string, string>?]>, lib?: Record<string, string>): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-recipes-"));
  for (const [name, [declaration, files = {}]] of Object.entries(stages)) await writeStage(root, name, declaration, files);
  if (lib) {
    await fs.mkdir(path.join(root, "lib"));
    for (const [file, text] of Object.entries(lib)) await fs.writeFile(path.join(root, "lib", file), text);
  }
  return root;
}

export async function writeStage(root: string, name: string, declaration: Declaration | string, files: Record<string, string> = {}): Promise<void> {
  await fs.mkdir(path.join(root, name), { recursive: true });
  await fs.writeFile(path.join(root, name, "stage.json"), typeof declaration === "string" ? declaration : JSON.stringify(declaration, null, 2));
  for (const [file, text] of Object.entries(files)) await fs.writeFile(path.join(root, name, file), text);
}

/** A tool stage like 1-stage1 (seed-tcc, provides init, shell and two bin dirs). */
export const toolStage: Declaration = {
  name: "1-tools",
  runner: "seed-tcc",
  program: "tools.c",
  provides: { bin: ["busybox/bin", "tcc/bin"], init: "init", shell: "busybox/bin/ash" },
};

/** A shell stage using 1-tools. */
export const shellStage: Declaration = {
  name: "2-pkg",
  runner: "shell",
  program: "build.sh",
  sources: ["pkg"],
  inputs: ["1-tools"],
  tools: ["1-tools"],
};

/** A root with 1-tools and 2-pkg (and recipes/lib unless `lib` is null). */
export async function toolChainRoot(overrides: { tools?: Declaration; pkg?: Declaration; lib?: Record<string, string> | null } = {}): Promise<string> {
  return recipeRoot(
    { "1-tools": [overrides.tools ?? toolStage, { "tools.c": "int x;\n" }], "2-pkg": [overrides.pkg ?? shellStage, { "build.sh": ". /recipe-lib/build.sh\n" }] },
    overrides.lib === null ? undefined : overrides.lib ?? { "build.sh": "run_phases() { :; }\n" },
  );
}
