// The chain's JSON declarations (stage.json, sources.json) checked against the JSON Schemas in
// recipes/schema/ (the files editors use through "$schema"), with one error format for both:
//   recipes/2a0-make/stage.json: unknown key "input" (known: name, runner, …)
//   recipes/sources.json: sources[2] (tinycc): "sha256" must be 64 lowercase hex digits, got "zz"
// Each schema node carries "x-expected", the words that finish "must be …" in those messages.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { ZilchError } from "../errors.js";
import { repoRoot } from "../paths.js";

export type SchemaName = "stage" | "sources" | "cache-record" | "cache-keys" | "kit-lock";

/** The schema file: the tool's contract, so it is read from this checkout, not ZILCHBOOT_RECIPES. */
export function schemaFile(name: SchemaName): string {
  return path.join(repoRoot, "recipes", "schema", `${name}.schema.json`);
}

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

// ajv is imported on first use: importing and compiling cost ~100 ms, which commands that read no
// declaration (--help, ls) should not pay.
async function validatorFor(name: SchemaName): Promise<ValidateFunction> {
  let validate = compiled.get(name);
  if (!validate) {
    if (!ajv) {
      const { Ajv } = await import("ajv");
      // allErrors: the most specific of all problems is reported, not the first one ajv meets.
      ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
      ajv.addKeyword({ keyword: "x-expected", schemaType: "string" });
    }
    validate = ajv.compile(JSON.parse(readFileSync(schemaFile(name), "utf8")) as object);
    compiled.set(name, validate);
  }
  return validate;
}

/** A value as messages show it: JSON, cut to 60 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A file as messages name it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** The one error for a bad declaration: "<file>: [<where>: ]<problem>", with a hint naming the fix. */
export function declarationError(origin: string, where: string, problem: string, hint?: string): ZilchError {
  return new ZilchError({
    code: "PIN",
    message: `${origin}: ${where ? `${where}: ` : ""}${problem}`,
    hint: hint ?? `fix it in ${origin}`,
  });
}

/** Reads and parses a JSON file; unreadable or malformed files are declaration errors. */
export async function readJsonFile(file: string): Promise<unknown> {
  const origin = displayPath(file);
  const text = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new ZilchError({ code: "PIN", message: `cannot read ${origin}: ${(cause as Error).message}`, hint: `restore ${origin}`, cause });
  });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ZilchError({ code: "PIN", message: `${origin}: not valid JSON (${(cause as Error).message})`, hint: `fix the syntax of ${origin}`, cause });
  }
}

/** Checks `doc` against schema `name`; returns it typed, or throws the most specific problem. */
export async function validateDocument<T>(name: SchemaName, doc: unknown, origin: string): Promise<T> {
  const validate = await validatorFor(name);
  if (validate(doc)) return doc as T;
  const error = mostSpecific(validate.errors ?? []);
  const { where, problem } = describe(error, doc);
  const keysOf = `the keys are described in ${displayPath(schemaFile(name))}`;
  throw declarationError(origin, where, problem, `fix it in ${origin}; ${keysOf}`);
}

type Segment = string | number;

function segments(error: ErrorObject): Segment[] {
  return error.instancePath.split("/").slice(1).map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~")).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** How deep a problem sits: an unknown, missing or misnamed key counts one level below its object. */
function depth(error: ErrorObject): number {
  const keyed = error.keyword === "additionalProperties" || error.keyword === "required" || error.propertyName !== undefined;
  return segments(error).length + (keyed ? 1 : 0);
}

// Among equally deep problems: a key's own problem first; then a oneOf's summary of its branches
// (a source that is neither a pin name nor an object), not one branch's complaint.
const PREFERENCE = ["additionalProperties", "required", "oneOf", "anyOf"];

function rank(error: ErrorObject): number {
  const index = PREFERENCE.indexOf(error.keyword);
  return index < 0 ? PREFERENCE.length : index;
}

function mostSpecific(errors: ErrorObject[]): ErrorObject {
  return [...errors].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0];
}

/** "sources[0] (musl)": the container's path, with the name of a named object. */
function formatWhere(path: Segment[], doc: unknown): string {
  let text = "";
  let node: unknown = doc;
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : text ? `.${segment}` : segment;
    node = (node as Record<string | number, unknown> | undefined)?.[segment];
  }
  const name = (node as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && path.length > 0 ? `${text} (${name})` : text;
}

function describe(error: ErrorObject, doc: unknown): { where: string; problem: string } {
  const path = segments(error);
  const expected = (error.parentSchema as Record<string, unknown> | undefined)?.["x-expected"];
  const mustBe = typeof expected === "string" ? expected : (error.message ?? "valid").replace(/^must be /, "");
  if (error.keyword === "additionalProperties") {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
    return { where: formatWhere(path, doc), problem: `unknown key "${key}" (known: ${known.join(", ")})` };
  }
  if (error.keyword === "required") {
    return { where: formatWhere(path, doc), problem: `"${(error.params as { missingProperty: string }).missingProperty}" is missing` };
  }
  if (error.propertyName !== undefined) {
    const propertySchema = (error.parentSchema as Record<string, unknown>)["x-expected"];
    return { where: formatWhere(path, doc), problem: `key "${error.propertyName}" must be ${typeof propertySchema === "string" ? propertySchema : mustBe}` };
  }
  // A rule about a whole object (two keys that exclude each other) is said of that object.
  if (error.keyword !== "type" && typeof error.data === "object" && error.data !== null && !Array.isArray(error.data)) {
    return { where: formatWhere(path, doc), problem: `must be ${mustBe}` };
  }
  // The problem belongs to the last key on the path ("sources[0].unpackAs"): name it, and say
  // where its object is.
  let lastKey = path.length - 1;
  while (lastKey >= 0 && typeof path[lastKey] !== "string") lastKey--;
  if (lastKey < 0) return { where: formatWhere(path, doc), problem: `must be ${mustBe}, got ${show(error.data)}` };
  const key = path.slice(lastKey).map((s, i) => (i === 0 ? s : `[${s}]`)).join("");
  return { where: formatWhere(path.slice(0, lastKey), doc), problem: `"${key}" must be ${mustBe}, got ${show(error.data)}` };
}
