// A stage as declared in recipes/<name>/stage.json.
import { existsSync, readdirSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { GUEST_ARCHES, type GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";

export interface StageRecipe {
  name: string;
  description: string;
  /** "seed-tcc": PID 1 is the seed tcc running `program` with -nostdinc -nostdlib -run.
   *  "shell": PID 1 is stage 1's init running `program` with stage 1's ash. */
  runner: "seed-tcc" | "shell";
  program: string;
  args: string[];
  /** Pins of recipes/sources.json: served as /sources/<file>, or unpacked as /sources/<unpackAs>/. */
  sources: StageSource[];
  /** Stages whose outputs are served at /store/<name>/. */
  inputs: string[];
  timeoutSeconds: number;
  memoryMiB: number;
  /** Quick enough to run under v86 (~3× slower than QEMU): `--backend auto` may pick v86 for it. */
  small: boolean;
  /** The guest's architecture: picks kernel, seed and emulator (default x86_64). */
  arch: GuestArch;
  /** Folder holding the recipe's files (served at /recipe): the stage's own, or recipeFrom's. */
  dir: string;
  /** Set for a variant (`"recipeFrom"`): the folder of its own stage.json, hashed with dir. */
  declarationDir?: string;
}

export interface StageSource {
  pin: string;
  /** Serve the tarball unpacked under this directory name instead of the file itself. */
  unpackAs?: string;
  /** Leading path components to drop when unpacking. */
  strip: number;
}

const STAGE_NAME = /^[0-9][0-9a-z]*-[a-z0-9.-]+$/;

function fail(file: string, what: string): never {
  throw new ZilchError({ code: "PIN", message: `${file}: ${what}`, hint: "fix the stage declaration" });
}

export async function loadStage(recipesRoot: string, name: string): Promise<StageRecipe> {
  const dir = path.join(recipesRoot, name);
  const file = path.join(dir, "stage.json");
  const text = await fs.readFile(file, "utf8").catch((cause: unknown) => {
    throw new ZilchError({
      code: "USAGE",
      message: `no stage named ${name} (${file} not readable)`,
      hint: `known stages: ${listStagesSync(recipesRoot).join(", ") || "none"}`,
      cause,
    });
  });
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new ZilchError({ code: "PIN", message: `${file}: not valid JSON (${(cause as Error).message})`, hint: "fix the stage declaration", cause });
  }
  const str = (key: string): string => (typeof raw[key] === "string" ? (raw[key] as string) : fail(file, `"${key}" must be a string`));
  const strs = (key: string): string[] => {
    const value = raw[key] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) fail(file, `"${key}" must be a list of strings`);
    return value as string[];
  };
  const num = (key: string, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !(value > 0)) fail(file, `"${key}" must be a positive number`);
    return value;
  };
  if (str("name") !== name) fail(file, `"name" is ${JSON.stringify(raw.name)} but the folder is ${name}`);
  if (!STAGE_NAME.test(name)) fail(file, `stage name ${name} must look like <digits><letters>-<name>`);
  const runner = str("runner");
  if (runner !== "seed-tcc" && runner !== "shell") fail(file, `unknown runner ${JSON.stringify(raw.runner)} (known: seed-tcc, shell)`);
  const arch = raw.arch ?? "x86_64";
  if (typeof arch !== "string" || !(GUEST_ARCHES as readonly string[]).includes(arch)) fail(file, `"arch" must be one of ${GUEST_ARCHES.join(", ")}, got ${JSON.stringify(raw.arch)}`);
  // A variant (e.g. the same recipe for another arch) runs another stage's files with its own
  // declaration, so the recipe is written once.
  const recipeFrom = raw.recipeFrom;
  if (recipeFrom !== undefined && (typeof recipeFrom !== "string" || !STAGE_NAME.test(recipeFrom) || recipeFrom === name)) {
    fail(file, `"recipeFrom" must name another stage folder, got ${JSON.stringify(recipeFrom)}`);
  }
  const filesDir = recipeFrom === undefined ? dir : path.join(recipesRoot, recipeFrom);
  const program = str("program");
  await fs.access(path.join(filesDir, program)).catch(() => fail(file, `program ${program} does not exist in ${filesDir}`));
  return {
    name,
    description: typeof raw.description === "string" ? raw.description : "",
    runner,
    program,
    args: strs("args"),
    sources: stageSources(file, raw.sources ?? []),
    inputs: strs("inputs"),
    timeoutSeconds: num("timeoutSeconds", 600),
    memoryMiB: num("memoryMiB", 512),
    small: raw.small === undefined ? false : typeof raw.small === "boolean" ? raw.small : fail(file, `"small" must be true or false`),
    arch: arch as GuestArch,
    dir: filesDir,
    ...(recipeFrom === undefined ? {} : { declarationDir: dir }),
  };
}

function stageSources(file: string, value: unknown): StageSource[] {
  if (!Array.isArray(value)) fail(file, `"sources" must be a list`);
  return value.map((item: unknown) => {
    if (typeof item === "string") return { pin: item, strip: 0 };
    const entry = item as Record<string, unknown>;
    const ok =
      typeof item === "object" && item !== null && typeof entry.pin === "string" &&
      (entry.unpackAs === undefined || (typeof entry.unpackAs === "string" && /^[a-z0-9][a-z0-9.+-]*$/.test(entry.unpackAs))) &&
      (entry.strip === undefined || (typeof entry.strip === "number" && Number.isInteger(entry.strip) && entry.strip >= 0));
    if (!ok) fail(file, `each of "sources" is a pin name or { "pin": NAME, "unpackAs": DIR, "strip": N }, got ${JSON.stringify(item)}`);
    return { pin: entry.pin as string, unpackAs: entry.unpackAs as string | undefined, strip: (entry.strip as number | undefined) ?? 0 };
  });
}

/** Stage folders under recipesRoot (those with a stage.json), sorted. */
export function listStagesSync(recipesRoot: string): string[] {
  try {
    return readdirSync(recipesRoot).filter((entry) => existsSync(path.join(recipesRoot, entry, "stage.json"))).sort();
  } catch {
    return [];
  }
}
