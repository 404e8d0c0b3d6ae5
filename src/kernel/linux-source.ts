// The guest kernel's source. Debian replaces linux-source-6.1 with every security update and the
// pinned version then leaves its archive; the pin also names a URL that keeps the .deb (the
// snapshot archive), but a host that reaches neither must still get a kernel: it builds from the
// package's current version, says so in one line, and every build record names that source (the
// kernel is not part of a stage's input hash, so outputs do not depend on which one it was).
// Only the guest kernel falls back: 2a6-linux-headers takes the pinned file or nothing.
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { ZilchError } from "../errors.js";
import { obtainSource, type FetchOptions } from "../sources/fetch.js";
import type { DebianBinary, SourcePin } from "../sources/pins.js";
import { extractDebMember } from "../sources/providers/deb.js";
import { compareDebianVersions, parseBinaryStanzas } from "../sources/providers/debian.js";
import { lastLine } from "../sources/providers/provider.js";
import { onPath } from "../sources/providers/apt.js";
import { knownSha256, rememberSha256, verifiedIndexFile } from "../sources/verified-index.js";
import { withLock } from "../store/file-lock.js";
import { sha256File } from "../sha256.js";

export interface KernelSource {
  path: string;
  sha256: string;
  /** The Debian version it came from (the pin's, or the current one). */
  version: string;
  /** Set when the pin could not be fetched: the pinned version this source stands in for. */
  fallbackFor?: string;
}

const ENV = { LC_ALL: "C" };

/** The pinned linux source, else (fetch failures only, never wrong bytes) Debian's current one. */
export async function obtainKernelSource(pin: SourcePin, options: FetchOptions): Promise<KernelSource> {
  try {
    const got = await obtainSource(pin, options);
    return { path: got.path, sha256: got.sha256, version: pin.version };
  } catch (error) {
    const binary = pin.debianBinary;
    const fetchFailed = error instanceof ZilchError && error.code === "FETCH";
    if (!fetchFailed || !binary || options.allowApt === false || !(await onPath("apt-get"))) throw error;
    const log = options.log ?? (() => {});
    const current = await currentDebianBinary(binary, options.cacheDir, log).catch((why: unknown) => {
      const reason = why instanceof Error ? why.message : String(why);
      throw new ZilchError({ code: "FETCH", message: `${error.message}; Debian's current ${binary.package} neither: ${reason}`, hint: error.hint });
    });
    log(
      `kernel: linux ${pin.version} (the pin) cannot be fetched here; building the guest kernel from Debian's current ${binary.package} ${current.version} instead (sha256 ${current.sha256.slice(0, 12)}…): stage outputs do not depend on it, their build records name it; for the pinned one pass --mirror DIR holding ${pin.file}, or import a kit`,
    );
    return { ...current, fallbackFor: pin.version };
  }
}

/** The member of the newest version of `binary.package` that apt knows or the download cache
 *  holds (so an offline rerun finds it), kept in the cache under its package, version and member
 *  name, verified on the way in like every pin. */
export async function currentDebianBinary(binary: DebianBinary, cacheDir: string, log: (line: string) => void): Promise<Omit<KernelSource, "fallbackFor">> {
  const sourcesDir = path.join(cacheDir, "sources");
  const index = verifiedIndexFile(cacheDir);
  const fileFor = (version: string): string => path.join(sourcesDir, `${binary.package}_${version}_${path.basename(binary.member)}`);
  const cached = await cachedVersions(binary, sourcesDir, index);
  const show = await execa("apt-cache", ["show", binary.package], { reject: false, all: true, env: ENV });
  const listed = parseBinaryStanzas(show.stdout).filter((s) => s.package === binary.package);
  const newestListed = listed.sort((a, b) => compareDebianVersions(b.version, a.version))[0];
  const newestCached = cached[0];
  if (newestCached && (!newestListed || compareDebianVersions(newestCached.version, newestListed.version) >= 0)) {
    return { path: fileFor(newestCached.version), sha256: newestCached.sha256, version: newestCached.version };
  }
  if (!newestListed) throw new Error(`apt-cache show ${binary.package} lists no version (${lastLine(show.all ?? "")})`);
  const newest = newestListed;
  const final = fileFor(newest.version);
  const partial = path.join(sourcesDir, ".partial");
  await mkdir(partial, { recursive: true });
  return withLock(path.join(sourcesDir, ".locks", path.basename(final)), { what: `the download of ${path.basename(final)}`, log }, async () => {
    const again = await knownSha256(index, final);
    if (again) return { path: final, sha256: again, version: newest.version };
    const dir = await mkdtemp(path.join(partial, "current-"));
    try {
      await chmod(dir, 0o755); // apt downloads as its _apt user where it can
      const spec = `${binary.package}=${newest.version}`;
      log(`${path.basename(final)}: apt-get download ${spec}`);
      const run = await execa("apt-get", ["download", "-o", "Acquire::Retries=0", "-q", spec], { cwd: dir, reject: false, all: true, env: ENV });
      const deb = (await readdir(dir)).find((name) => name.endsWith(".deb"));
      if (!deb) throw new Error(`apt-get download ${spec} brought no .deb: ${lastLine(run.all ?? "")}`);
      const debSha256 = await sha256File(path.join(dir, deb));
      // apt checked it against its signed index already; this keeps our own word on it.
      if (debSha256 !== newest.sha256) throw new Error(`${deb} has sha256 ${debSha256}, apt's index says ${newest.sha256}`);
      const member = await extractDebMember(path.join(dir, deb), binary.member, path.join(dir, "x"));
      const sha256 = await sha256File(member);
      await rename(member, final);
      await rememberSha256(index, final, sha256);
      return { path: final, sha256, version: newest.version };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Verified fallback files already in the cache, newest first. */
async function cachedVersions(binary: DebianBinary, sourcesDir: string, index: string): Promise<{ version: string; sha256: string }[]> {
  const prefix = `${binary.package}_`;
  const suffix = `_${path.basename(binary.member)}`;
  const found: { version: string; sha256: string }[] = [];
  for (const name of await readdir(sourcesDir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const sha256 = await knownSha256(index, path.join(sourcesDir, name));
    if (sha256) found.push({ version: name.slice(prefix.length, -suffix.length), sha256 });
  }
  return found.sort((a, b) => compareDebianVersions(b.version, a.version));
}
