// A stage's input hash: everything that may influence its output and nothing about the host.
import { createHash } from "node:crypto";
import { hashTree } from "../store/tree-hash.js";

export interface StageInputs {
  stage: string;
  /** sha256 of the recipe folder's tree (stage.json and its files). */
  recipeTree: string;
  /** sha256 of vm/guest (headers the guest programs include). */
  guestTree: string;
  seedSha256: string;
  /** pin name → sha256 */
  sources: Record<string, string>;
  /** dependency stage → its output hash */
  dependencies: Record<string, string>;
  /** The guest arch; absent for x86_64, so x86_64 stages keep the hashes they always had. */
  arch?: string;
}

function sortedObject(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function inputHash(inputs: StageInputs): string {
  const canonical = JSON.stringify({
    version: 1,
    stage: inputs.stage,
    recipeTree: inputs.recipeTree,
    guestTree: inputs.guestTree,
    seedSha256: inputs.seedSha256,
    sources: sortedObject(inputs.sources),
    dependencies: sortedObject(inputs.dependencies),
    ...(inputs.arch === undefined || inputs.arch === "x86_64" ? {} : { arch: inputs.arch }),
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** The recipe's tree hash; a variant's own declaration folder is hashed with the files it borrows. */
export async function recipeTreeHash(stage: { dir: string; declarationDir?: string }): Promise<string> {
  const files = (await hashTree(stage.dir)).sha256;
  if (stage.declarationDir === undefined) return files;
  return createHash("sha256").update(`variant ${(await hashTree(stage.declarationDir)).sha256} files ${files}`).digest("hex");
}
