// `zilchboot kit export FILE | import FILE | lock`: moving the host-built kernels and seeds to
// hosts that cannot build them (macOS, Windows), checked against recipes/kit-lock.json.
import fs from "node:fs/promises";
import path from "node:path";
import { GUEST_ARCHES, parseArch, type GuestArch } from "../arch.js";
import { str } from "../cli-options.js";
import { ZilchError } from "../errors.js";
import { kitLockFile, loadKitLock, type ArtefactKind } from "../kit/kit-lock.js";
import { imagesDir } from "../paths.js";
import { archImagesDir, kitInputs, provideKernel, provideSeed } from "../provision.js";
import type { CommandContext } from "./context.js";
import { provisionOptions } from "./provision-flags.js";

export const help = `kit export FILE   packs the guest kernels and seed tccs recipes/kit-lock.json lists (building
                  them here first if images/ lacks them; x86_64 Linux) into FILE, a .tar.gz with
                  their lock entries as kit.json. Refuses bytes that differ from the lock.
kit import FILE   checks FILE against recipes/kit-lock.json (its kit.json must agree with the lock,
                  the lock must match this checkout's pins and kernel fragments, every file must
                  have the locked sha256), then installs it into ${imagesDir()}, where builds
                  look for kernels and seeds: no musl-gcc or kernel build tools needed. Any
                  mismatch is one line naming the file and both sha256s; nothing is installed.
kit lock          builds the kernels and seeds here (x86_64 Linux) and records their sha256, inputs
                  and host tools in recipes/kit-lock.json. Run it after changing vm/kernel/*.config
                  or the linux/tinycc pin, and commit the diff.
  --arch NAME      x86_64 or i386 (repeatable; default: both)
  --only KIND      kit lock: kernel or seed (default: both)
  --mirror DIR|URL extra download source for the sources a build needs (repeatable)`;

export async function run(ctx: CommandContext): Promise<void> {
  const [action, ...args] = ctx.positionals;
  const usage = (message: string) => new ZilchError({ code: "USAGE", message, hint: "run 'zilchboot kit --help'" });
  if (action === "export" || action === "import") {
    if (args.length !== 1) throw usage(`kit ${action} takes one FILE`);
    if (action === "import" && ctx.options.arch !== undefined) throw usage("kit import takes no --arch: it installs what the kit carries");
    if (ctx.options.only !== undefined) throw usage(`kit ${action} takes no --only`);
    return action === "export" ? exportCommand(ctx, args[0]!) : importCommand(ctx, args[0]!);
  }
  if (action === "lock") {
    if (args.length !== 0) throw usage("kit lock takes no FILE");
    return lockCommand(ctx);
  }
  throw usage(action === undefined ? "kit needs an action: export FILE, import FILE or lock" : `unknown kit action ${JSON.stringify(action)} (known: export, import, lock)`);
}

function arches(ctx: CommandContext): GuestArch[] {
  const given = ctx.options.arch as string[] | undefined;
  return given === undefined ? [...GUEST_ARCHES] : [...new Set(given.map(parseArch))];
}

async function exportCommand(ctx: CommandContext, file: string): Promise<void> {
  // Checked before anything is built for the kit: the folder it goes into must exist.
  const folder = path.dirname(path.resolve(file));
  if (!(await fs.stat(folder).then((s) => s.isDirectory(), () => false))) {
    throw new ZilchError({ code: "USAGE", message: `kit export: ${folder} is not a folder to write ${path.basename(file)} into`, hint: "create it first, or pass a path in an existing folder" });
  }
  const [{ exportKit }, { describeHost }] = await Promise.all([import("../kit/export.js"), import("../kit/host-info.js")]);
  const lock = await loadKitLock(kitLockFile());
  const wanted = arches(ctx);
  const keys = Object.keys(lock.artefacts).filter((key) => wanted.includes(lock.artefacts[key]!.arch));
  const opts = provisionOptions(ctx);
  const kit = await exportKit({
    file,
    lock,
    keys,
    imagesRoot: imagesDir(),
    provide: async (kind, arch) => {
      if (kind === "seed") await provideSeed(undefined, opts, arch);
      else await provideKernel(undefined, opts, arch);
    },
    describeHost,
    log: ctx.log,
  });
  ctx.log(`kit: wrote ${kit.keys.join(", ")} (${kit.size} bytes)`);
  ctx.print(`${kit.sha256}  ${path.resolve(file)}`);
}

async function importCommand(ctx: CommandContext, file: string): Promise<void> {
  // Checked before images/ is touched: a mistyped path is not a truncated kit.
  const stat = await fs.stat(file).catch((cause: NodeJS.ErrnoException) => {
    const why = cause.code === "ENOENT" ? "does not exist" : `cannot be read (${cause.code ?? cause.message})`;
    throw new ZilchError({ code: "USAGE", message: `kit import: ${file} ${why}`, hint: "pass the path of a kit .tar.gz ('zilchboot kit export FILE' makes one)", cause });
  });
  if (!stat.isFile()) throw new ZilchError({ code: "USAGE", message: `kit import: ${file} is not a file`, hint: "pass the path of a kit .tar.gz ('zilchboot kit export FILE' makes one)" });
  const { importKit } = await import("../kit/import.js");
  const installed = await importKit({ file, lock: await loadKitLock(kitLockFile()), imagesRoot: imagesDir(), currentInputs: kitInputs, log: ctx.log });
  for (const item of installed) ctx.print(`${item.key}  ${item.files.map((name) => path.join(item.dir, name)).join(" ")}`);
}

async function lockCommand(ctx: CommandContext): Promise<void> {
  const [{ relockKit }, { describeHost }] = await Promise.all([import("../kit/relock.js"), import("../kit/host-info.js")]);
  const only = str(ctx, "only");
  if (only !== undefined && only !== "kernel" && only !== "seed") throw new ZilchError({ code: "USAGE", message: `--only must be kernel or seed, got ${JSON.stringify(only)}`, hint: "e.g. --only kernel after changing vm/kernel/*.config" });
  const kinds: ArtefactKind[] = only ? [only] : ["seed", "kernel"];
  const targets = arches(ctx).flatMap((arch) => kinds.map((kind) => ({ kind, arch })));
  // All checked before the first build: a lock half-recorded for lack of flex helps nobody.
  const { SYSTEM_TOOLS, missingBuildTools } = await import("../kit/host-tools.js");
  for (const { kind, arch } of targets) {
    const missing = await missingBuildTools(kind, arch, SYSTEM_TOOLS);
    if (missing.length > 0) {
      throw new ZilchError({ code: "HOST", message: `kit lock records what this host builds, and building ${kind}-${arch} needs ${missing.join(", ")}`, hint: "run it on x86_64 Linux after scripts/setup-host.sh, or narrow it with --arch/--only" });
    }
  }
  // Built here, never taken from images/: the lock records what this host makes.
  const opts = { ...provisionOptions(ctx), ignoreKit: true };
  const lines = await relockKit({
    lockFile: kitLockFile(),
    targets,
    log: ctx.log,
    build: async (kind, arch) => {
      const inputs = await kitInputs(kind, arch);
      const host = await describeHost(kind, arch);
      if (kind === "seed") {
        await provideSeed(undefined, opts, arch);
        return { dir: archImagesDir(arch), inputs, host };
      }
      const kernel = await provideKernel(undefined, opts, arch);
      if (kernel.identity.linuxFallbackFor) {
        throw new ZilchError({ code: "KERNEL", message: `this host built the ${arch} kernel from Debian's current linux source ${kernel.identity.linuxVersion}, not the pinned ${kernel.identity.linuxFallbackFor}: the kit lock records kernels of the pinned source only`, hint: "pass --mirror DIR holding the pinned file, or move the linux pin (recipes/sources.json) to the current version" });
      }
      if (kernel.identity.sourceSha256 !== inputs.linuxSha256 || kernel.identity.fragmentSha256 !== inputs.fragmentSha256) {
        throw new ZilchError({ code: "KERNEL", message: `the ${arch} kernel just built reports source ${kernel.identity.sourceSha256} and fragments ${kernel.identity.fragmentSha256}, the checkout has ${inputs.linuxSha256} and ${inputs.fragmentSha256}`, hint: "a recipe changed during the build: run kit lock again" });
      }
      return { dir: archImagesDir(arch), inputs, built: { configSha256: kernel.identity.configSha256, release: kernel.identity.version }, host };
    },
  });
  for (const line of lines) ctx.print(line);
}
