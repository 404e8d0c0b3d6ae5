// Debian's archive as a last-resort source of the exact pinned bytes. Debian keeps original
// tarballs byte-for-byte, so any version whose .dsc lists our file with our hash will do.
import { constants } from "node:fs";
import { access, chmod, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import type { DebianBinary, DebianSource } from "../pins.js";
import { compareDebianVersions, parseShowsrc } from "./debian.js";
import { deliverDebMember } from "./deb.js";
import { lastLine, ProviderFailure, type FetchContext, type Provider } from "./provider.js";

// Fail fast: apt's own retries would only delay the (already final) verdict.
const APT_OPTIONS = ["-o", "Acquire::Retries=0", "-q"];
const ENV = { LC_ALL: "C" };

/** True when `command` is an executable file on PATH. */
export async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    try {
      await access(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

export function aptProvider(): Provider {
  return {
    label: "apt",
    mismatchHint: "the pin disagrees with Debian's archive: check the pin",
    async fetch(ctx: FetchContext): Promise<string> {
      const { debianSource, debianBinary } = ctx.pin;
      if (!debianSource && !debianBinary) throw new ProviderFailure("the pin names no Debian package");
      if (!(await onPath("apt-get"))) throw new ProviderFailure("apt-get is not on PATH");
      return debianSource ? fetchSource(ctx, debianSource) : fetchBinary(ctx, debianBinary as DebianBinary);
    },
  };
}

/** A temp dir next to the cache (so delivery is a rename) that apt's _apt user may enter. */
async function withTempDir<T>(ctx: FetchContext, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(ctx.partialDir, "apt-"));
  try {
    await chmod(dir, 0o755);
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fetchSource(ctx: FetchContext, source: DebianSource): Promise<string> {
  const { pin } = ctx;
  const listing = await execa("apt-cache", ["showsrc", "--only-source", source.package], {
    reject: false,
    all: true,
    env: ENV,
    timeout: 120_000,
  });
  const stanzas = parseShowsrc(listing.stdout).filter((s) => s.package === source.package);
  if (stanzas.length === 0) {
    throw new ProviderFailure(
      `apt-cache showsrc ${source.package} lists nothing (${lastLine(listing.all ?? "")})`,
      "run scripts/setup-host.sh to add deb-src entries, then apt-get update",
    );
  }
  const matching = stanzas.filter((s) => s.files.get(source.file)?.sha256 === pin.sha256).map((s) => s.version);
  const versions = [...new Set(matching)].sort((a, b) => compareDebianVersions(b, a));
  if (versions.length === 0) {
    const listed = [...new Set(stanzas.map((s) => s.version))].join(", ");
    throw new ProviderFailure(
      `no ${source.package} version in apt (${listed}) lists ${source.file} with sha256 ${pin.sha256.slice(0, 12)}...`,
      `check the "${pin.name}" pin against \`apt-cache showsrc ${source.package}\``,
    );
  }
  let last = "";
  for (const version of versions) {
    const spec = `${source.package}=${version}`;
    const delivered = await withTempDir(ctx, async (dir) => {
      ctx.log(`${pin.file}: apt-get source --download-only ${spec}`);
      // The exit code is not the verdict: apt may 404 on a superseded .dsc yet fetch the tarball.
      const run = await execa("apt-get", ["source", "--download-only", "--only-source", ...APT_OPTIONS, spec], {
        cwd: dir,
        reject: false,
        all: true,
        env: ENV,
      });
      const got = path.join(dir, source.file);
      if (await isFile(got)) return ctx.deliver(got, `apt (${spec})`);
      last = `apt-get source ${spec} brought no ${source.file}: ${lastLine(run.all ?? "")}`;
      return undefined;
    });
    if (delivered) return delivered;
  }
  throw new ProviderFailure(last);
}

async function fetchBinary(ctx: FetchContext, binary: DebianBinary): Promise<string> {
  const { pin } = ctx;
  const spec = `${binary.package}=${binary.version}`;
  return withTempDir(ctx, async (dir) => {
    ctx.log(`${pin.file}: apt-get download ${spec}`);
    const run = await execa("apt-get", ["download", ...APT_OPTIONS, spec], { cwd: dir, reject: false, all: true, env: ENV });
    const debs = (await readdir(dir)).filter((name) => name.endsWith(".deb"));
    if (debs.length !== 1) {
      const output = run.all ?? "";
      if (/Version '.*' for '.*' was not found|Unable to locate package|Can't select versions?/i.test(output)) {
        throw new ProviderFailure(
          `${spec} is no longer in apt; the pin must move`,
          `edit the "${pin.name}" entry in ${pin.origin ?? "recipes/sources.json"} (version, file, sha256, size and debianBinary)`,
        );
      }
      throw new ProviderFailure(`apt-get download ${spec} brought no .deb: ${lastLine(output)}`);
    }
    return deliverDebMember(ctx, binary, path.join(dir, debs[0]), `apt (${spec})`);
  });
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}
