// Pulling stages from a shared cache against building them: stage 1 and 2a1 (with 2a0 between
// them) are pushed once to a local nginx (the tests' launcher: WebDAV PUT, a write credential),
// then pulled `runs` times into fresh empty homes through the CLI (`build 2a1-binutils --cache`).
// The pull figure is each stage's seconds in the --json report (download, hash, unpack, manifest,
// commit); the build figure is the wall time recorded when the bench's home built the stage (its
// engine is named: the set-up builds natively, and the stages section forces stage 1 in QEMU).
import fs from "node:fs/promises";
import path from "node:path";
import { startNginx } from "../../test/helpers/nginx.js";
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, ratio } from "./stats.js";

const TARGET = "2a1-binutils";
const STAGES = ["1-stage1", TARGET];

interface StoredRecord {
  stage: string;
  wallMs: number;
  engine: string;
  outputBytes: number;
  builtAt: string;
}

/** The newest record.json per stage in a home's store (read as files: the bench uses no internal API). */
async function records(home: string): Promise<Map<string, StoredRecord>> {
  const found = new Map<string, StoredRecord>();
  const store = path.join(home, "store");
  for (const name of (await fs.readdir(store)).filter((n) => !n.startsWith("."))) {
    const record = JSON.parse(await fs.readFile(path.join(store, name, "record.json"), "utf8")) as StoredRecord;
    const known = found.get(record.stage);
    if (!known || known.builtAt < record.builtAt) found.set(record.stage, record);
  }
  return found;
}

export async function cacheSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  await ctx.home.ensureBuilt(TARGET);
  const nginx = await startNginx();
  try {
    const push = await ctx.home.zilchboot(["build", TARGET, "--cache", nginx.url, "--cache-push"], { env: nginx.pushEnv });
    ctx.log(`cache: pushed the chain up to ${TARGET} in ${(push.wallMs / 1000).toFixed(1)} s`);
    const pulls = new Map<string, number[]>(STAGES.map((s) => [s, []]));
    const walls: number[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      const home = ctx.home.file(`cache-pull-${i}`);
      const report = ctx.home.file(`cache-pull-${i}.json`);
      // --runner native: should a pull fail, the stage is built without booting a VM (and the run
      // is reported as not pulled), rather than spending minutes in QEMU.
      const run = await ctx.home.zilchboot(["build", TARGET, "--cache", nginx.url, "--json", report, "--runner", "native"], { home });
      const rows = (JSON.parse(await fs.readFile(report, "utf8")) as { stages: Array<{ stage: string; action: string; seconds: number }> }).stages;
      for (const stage of STAGES) {
        const row = rows.find((r) => r.stage === stage);
        if (row?.action !== "pulled") throw new Error(`cache: run ${i + 1} did not pull ${stage} (${row?.action ?? "missing"}); see ${home}`);
        pulls.get(stage)!.push(row.seconds);
      }
      walls.push(run.wallMs / 1000);
      ctx.log(`cache: pull run ${i + 1}/${ctx.runs}: ${STAGES.map((s) => `${s} ${pulls.get(s)!.at(-1)!.toFixed(1)} s`).join(", ")}; CLI ${(run.wallMs / 1000).toFixed(1)} s`);
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(report, { force: true });
    }
    const built = await records(ctx.home.home);
    for (const stage of STAGES) {
      const record = built.get(stage)!;
      const pull = figure(`cache.${stage}.pull`, `${stage}, pulled from the cache (${(record.outputBytes / 1e6).toFixed(1)} MB output)`, "s", pulls.get(stage)!);
      const build = figure(`cache.${stage}.build`, `${stage}, built (${record.engine}; wall time from its record)`, "s", [record.wallMs / 1000]);
      result.figures.push(build, pull);
      result.ratios.push(ratio(`cache.${stage}.ratio`, `${stage}: build / pull`, build, pull));
    }
    const cli = figure("", "", "s", walls);
    result.notes.push(`cache: nginx on 127.0.0.1; each pull run is 'build ${TARGET} --cache URL' into an empty home (CLI wall ${cli.median.toFixed(1)} s median, ${cli.min.toFixed(1)}–${cli.max.toFixed(1)})`);
  } finally {
    await nginx.stop();
  }
  return result;
}
