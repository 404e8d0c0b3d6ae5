// Test manifests: copies of the real smoke stage under other names, arguments or inputs.
import fs from "node:fs/promises";
import path from "node:path";
import { recipesDir } from "../../src/paths.js";

export async function copySmokeStage(root: string, changes: { name?: string; args?: string[]; inputs?: string[] } = {}): Promise<string> {
  const name = changes.name ?? "0-smoke";
  await fs.cp(path.join(recipesDir(), "0-smoke"), path.join(root, name), { recursive: true });
  const file = path.join(root, name, "stage.json");
  const declaration = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
  await fs.writeFile(file, JSON.stringify({ ...declaration, ...changes, name }));
  return root;
}
