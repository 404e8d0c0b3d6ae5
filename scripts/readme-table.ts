// `npm run readme:table`: writes the README's stage table from recipes/, recipes/lock.json and
// recipes/provenance/ (src/stages/stage-table.ts). Run it after a lock entry or statement changes;
// test/stages/stage-table.test.ts fails while the README's copy is stale.
import fs from "node:fs/promises";
import path from "node:path";
import { recipesDir, repoRoot } from "../src/paths.js";
import { readTableStages, stageTable, withTable } from "../src/stages/stage-table.js";

const readme = path.join(repoRoot, "README.md");
const recipes = recipesDir({});
const table = stageTable(await readTableStages(recipes, path.join(recipes, "lock.json")));
const before = await fs.readFile(readme, "utf8");
const after = withTable(before, table);
if (after === before) console.log("readme-table: README.md is up to date");
else {
  await fs.writeFile(readme, after);
  console.log(`readme-table: wrote the stage table (${table.length} lines) into README.md`);
}
