// recipes/provenance/<stage>.jsonl: the evidence for a stage's lock entry, one in-toto statement a
// line, kept in the repository beside the lock so it is reviewed and versioned with it. The first
// line is the build that wrote the lock entry, later lines independent rebuilds that matched it
// (`verify --attest`). One file per stage keeps diffs to the stage that changed, and appending a
// line never rewrites another stage's evidence. Writers share the lock file's discipline: a
// read-modify-write under a cross-process lock, written atomically.
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { writeAtomic } from "../store/atomic-file.js";
import { withLock } from "../store/file-lock.js";
import type { BuildRecord } from "../store/store.js";
import { currentBuilder } from "./builder.js";
import { SLSA_PROVENANCE, STATEMENT_TYPE, buildStatement, runFacts, subjectDigest, type ProvenanceStatement, type RunRole } from "./statement.js";

/** The folder beside `lockFile` that holds every stage's statements. */
export function provenanceDir(lockFile: string): string {
  return path.join(path.dirname(lockFile), "provenance");
}

export function provenanceFile(lockFile: string, stage: string): string {
  return path.join(provenanceDir(lockFile), `${stage}.jsonl`);
}

function parseLines(text: string, file: string): ProvenanceStatement[] {
  return text.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    try {
      const statement = JSON.parse(line) as ProvenanceStatement;
      if (statement._type !== STATEMENT_TYPE || statement.predicateType !== SLSA_PROVENANCE) throw new Error(`not an in-toto statement with an SLSA provenance predicate`);
      runFacts(statement);
      subjectDigest(statement);
      return [statement];
    } catch (cause) {
      throw new ZilchError({ code: "STORE", message: `${file}:${i + 1} is not a provenance statement (${(cause as Error).message})`, hint: "restore the file from git", cause });
    }
  });
}

/** A stage's statements, oldest first; none when it has no file. */
export async function readProvenance(lockFile: string, stage: string): Promise<ProvenanceStatement[]> {
  const file = provenanceFile(lockFile, stage);
  const text = await fs.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw new ZilchError({ code: "STORE", message: `cannot read ${file} (${error.code ?? error.message})`, hint: "fix its permissions or restore it from git", cause: error });
  });
  return parseLines(text, file);
}

/**
 * Adds `statement` to its stage's file. A locking build's statement starts the evidence for its
 * output: statements about another output (what --update-lock replaced) are dropped, since git
 * keeps them and they no longer describe the lock. A reproduction is appended, and must be about
 * the locked output.
 */
export async function recordProvenance(lockFile: string, statement: ProvenanceStatement, log?: (line: string) => void): Promise<string> {
  const stage = statement.subject[0].name;
  const file = provenanceFile(lockFile, stage);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await withLock(file, { what: file, log }, async () => {
    const kept = (await readProvenance(lockFile, stage)).filter((s) => subjectDigest(s) === subjectDigest(statement));
    await writeAtomic(file, [...kept, statement].map((s) => JSON.stringify(s) + "\n").join(""));
  });
  return file;
}

/** Writes the statement for a finished run of `record.stage`: the build that wrote its lock entry
 *  (`lock`), or a matching independent rebuild (`reproduction`). Returns the file. */
export async function attestRun(lockFile: string, record: BuildRecord, role: RunRole, log?: (line: string) => void): Promise<string> {
  return recordProvenance(lockFile, buildStatement(record, role, await currentBuilder()), log);
}
