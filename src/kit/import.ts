// `zilchboot kit import FILE`: installs a kit's kernels and seeds into the images directory, where
// provisioning looks for them, after checking everything first: the kit's kit.json must agree with
// recipes/kit-lock.json entry by entry, the lock entry must be made from this checkout's inputs, and
// every file must hash to the lock's sha256. Any failure is one line and leaves images/ untouched.
import fs from "node:fs/promises";
import path from "node:path";
import { ARCH, type GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { fsyncDir } from "../store/atomic-file.js";
import { sha256File } from "../sha256.js";
import { staleReasons, type CurrentInputs } from "./inputs.js";
import { MANIFEST_NAME, unpackKit } from "./kit-archive.js";
import { KIT_FORMAT, entryDifference, parseKitLock, type KitArtefact, type KitLock } from "./kit-lock.js";

export interface ImportOptions {
  file: string;
  lock: KitLock;
  /** The images root: x86_64 files go here, i386 files to its i386/ (arch.ts). */
  imagesRoot: string;
  currentInputs: CurrentInputs;
  log?: (line: string) => void;
}

export interface ImportedArtefact {
  key: string;
  dir: string;
  files: string[];
}

const AGAIN = "get the kit again (`zilchboot kit export FILE` on x86_64 Linux, or a release's kit)";

function refuse(message: string, hint: string): ZilchError {
  return new ZilchError({ code: "HASH_MISMATCH", message: `${message}; nothing was installed`, hint });
}

export async function importKit(opts: ImportOptions): Promise<ImportedArtefact[]> {
  const { file, lock, imagesRoot, log = () => {} } = opts;
  await fs.mkdir(imagesRoot, { recursive: true });
  // On the images file system, so installing is a rename per file.
  const staging = await fs.mkdtemp(path.join(imagesRoot, ".kit-import-"));
  try {
    const unpacked = await unpackKit(file, staging);
    if (!unpacked.manifest) throw refuse(`kit ${file} has no ${MANIFEST_NAME}: it is not a zilchboot kit`, AGAIN);
    const doc = await readManifest(file, path.join(staging, MANIFEST_NAME));
    if (doc?.format !== KIT_FORMAT) throw refuse(`kit ${file}: ${MANIFEST_NAME} says format ${JSON.stringify(doc?.format ?? null)}, this zilchboot reads ${KIT_FORMAT}`, AGAIN);
    const manifest = await parseKitLock(doc, `kit ${file}: ${MANIFEST_NAME}`).catch((cause: unknown) => {
      throw refuse((cause as Error).message, AGAIN);
    });
    const entries = Object.entries(manifest.artefacts);
    if (entries.length === 0) throw refuse(`kit ${file} carries no artefacts`, AGAIN);

    const listed = new Set<string>();
    for (const [key, kitEntry] of entries) {
      const locked = await checkAgainstLock(file, key, kitEntry, lock, opts.currentInputs);
      for (const [name, want] of Object.entries(locked.files)) {
        const member = `${locked.arch}/${name}`;
        listed.add(member);
        const got = await sha256File(path.join(staging, locked.arch, name)).catch(() => undefined);
        if (got === undefined) throw refuse(`kit ${file} lacks ${member}, which its ${MANIFEST_NAME} lists`, AGAIN);
        if (got !== want.sha256) throw refuse(`kit ${file}: ${member} has sha256 ${got}, ${lock.origin} expects ${want.sha256}`, `the kit is damaged or was altered: ${AGAIN}`);
      }
    }
    const extra = unpacked.members.filter((member) => !listed.has(member));
    if (extra.length > 0) throw refuse(`kit ${file} holds ${extra.join(", ")}, which its ${MANIFEST_NAME} does not list`, AGAIN);

    // Everything is checked: records beside the files, then one rename per file.
    const installed: ImportedArtefact[] = [];
    const moves: Array<{ from: string; to: string; mode: number }> = [];
    for (const [key, entry] of entries) {
      const dir = path.join(imagesRoot, ARCH[entry.arch].imagesSubdir);
      const names = Object.keys(entry.files);
      for (const name of names) moves.push({ from: path.join(staging, entry.arch, name), to: path.join(dir, name), mode: name === "tcc-seed" ? 0o755 : 0o644 });
      const record = recordFor(entry, file);
      const recordFile = path.join(staging, entry.arch, record.name);
      await fs.writeFile(recordFile, JSON.stringify(record.value, null, 2) + "\n");
      moves.push({ from: recordFile, to: path.join(dir, record.name), mode: 0o644 });
      installed.push({ key, dir, files: names });
    }
    for (const move of moves) {
      await fs.chmod(move.from, move.mode);
      const handle = await fs.open(move.from, "r");
      await handle.sync().finally(() => handle.close());
    }
    for (const move of moves) {
      await fs.mkdir(path.dirname(move.to), { recursive: true });
      await fs.rename(move.from, move.to);
    }
    for (const dir of new Set(moves.map((move) => path.dirname(move.to)))) await fsyncDir(dir);
    for (const item of installed) log(`kit: installed ${item.key} (${item.files.join(", ")}) into ${item.dir}`);
    return installed;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function readManifest(file: string, staged: string): Promise<{ format?: unknown } | null> {
  try {
    return JSON.parse(await fs.readFile(staged, "utf8")) as { format?: unknown } | null;
  } catch (cause) {
    throw refuse(`kit ${file}: ${MANIFEST_NAME} is not valid JSON (${(cause as Error).message})`, AGAIN);
  }
}

/** The lock's entry for a kit entry, when both agree and the checkout would make the same. */
async function checkAgainstLock(file: string, key: string, kitEntry: KitArtefact, lock: KitLock, currentInputs: CurrentInputs): Promise<KitArtefact> {
  const locked = lock.artefacts[key];
  if (!locked) throw refuse(`kit ${file} carries ${key}, which ${lock.origin} does not list`, `this checkout cannot vouch for it: use the zilchboot revision that made the kit, or lock it here with \`zilchboot kit lock\``);
  const difference = entryDifference(kitEntry, locked);
  if (difference) {
    throw refuse(`kit ${file} disagrees with ${lock.origin} on ${key}: ${difference}`, "the kit was made by another revision of zilchboot: export it again from this revision, or use the revision that made it");
  }
  const stale = staleReasons(locked.inputs, await currentInputs(locked.kind, locked.arch));
  if (stale.length > 0) {
    throw refuse(`${lock.origin}'s ${key} is stale: ${stale.join("; ")}`, `record it again on x86_64 Linux (\`zilchboot kit lock --arch ${locked.arch} --only ${locked.kind}\`), then export a new kit`);
  }
  return locked;
}

/** What the builders write beside their output (seed: tcc-seed.json, kernel: kernel.json), so the
 *  rest of the tool reads an imported artefact as it reads a built one. */
function recordFor(entry: KitArtefact, file: string): { name: string; value: unknown } {
  const arch: GuestArch = entry.arch;
  if (entry.kind === "seed") {
    const seed = entry.files["tcc-seed"]!;
    const value = { arch, sha256: seed.sha256, size: seed.size, compiler: entry.host.compiler ?? "unknown", tinyccSha256: entry.inputs.tinyccSha256, from: `kit ${path.basename(file)}` };
    return { name: "tcc-seed.json", value };
  }
  const built = entry.built ?? {};
  const value = { sourceSha256: entry.inputs.linuxSha256, fragmentSha256: entry.inputs.fragmentSha256, configSha256: built.configSha256, version: built.release };
  return { name: "kernel.json", value };
}
