// Pins whose file lives inside a Debian binary package (.deb): the package is checked against
// debSha256 before anything is taken out of it, whoever served it (apt, or a URL that keeps the
// .deb after the archive drops that version, such as the snapshot archive).
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import * as tar from "tar";
import type { DebianBinary } from "../pins.js";
import { sha256File } from "../../sha256.js";
import { download } from "./http.js";
import { HashMismatch, lastLine, ProviderFailure, uniqueTemp, type FetchContext, type Provider } from "./provider.js";

const ENV = { LC_ALL: "C" };

/** Checks `deb` against the pin's debSha256, then delivers its member (the pinned file). */
export async function deliverDebMember(ctx: FetchContext, binary: DebianBinary, deb: string, from: string): Promise<string> {
  const debHash = await sha256File(deb);
  if (debHash !== binary.debSha256) {
    await rm(deb, { force: true });
    throw new HashMismatch(
      `${path.basename(deb)} (for ${ctx.pin.file}) from ${from} has sha256 ${debHash}, ${ctx.pin.origin ?? "the pin"} expects debSha256 ${binary.debSha256}`,
      `fix debianBinary.debSha256 of "${ctx.pin.name}"`,
    );
  }
  const into = uniqueTemp(ctx, "deb");
  try {
    const extracted = await extractDebMember(deb, binary.member, into);
    return await ctx.deliver(extracted, `${from} .deb`);
  } finally {
    await rm(deb, { force: true });
    await rm(into, { recursive: true, force: true });
  }
}

/** Pulls one file out of a .deb's data archive (stored there as "./<member>") into `into`. */
export async function extractDebMember(deb: string, member: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  // Stream: the kernel .deb is ~140 MB; keep stderr buffered for the error message.
  const dpkg = execa("dpkg-deb", ["--fsys-tarfile", deb], { buffer: { stdout: false, stderr: true }, env: ENV });
  try {
    await pipeline(
      dpkg.stdout,
      tar.x({ cwd: into, filter: (entry) => entry.replace(/^\.\//, "") === member, preserveOwner: false }),
    );
    await dpkg;
  } catch (error) {
    dpkg.kill();
    throw new ProviderFailure(`cannot unpack the .deb: ${lastLine(error instanceof Error ? error.message : String(error))}`);
  }
  const file = path.join(into, member);
  if (!(await stat(file).catch(() => undefined))?.isFile()) {
    throw new ProviderFailure(`the .deb has no regular file ${member}`, "check debianBinary.member (dpkg-deb -c lists the .deb)");
  }
  return file;
}

/** The pin's .deb from one of debianBinary.urls. */
export function debUrlProvider(binary: DebianBinary & { debSize: number }, url: string): Provider {
  return {
    label: `.deb ${url}`,
    mismatchHint: `the URL serves other bytes than debianBinary.debSha256: check the "urls" of the pin`,
    async fetch(ctx: FetchContext): Promise<string> {
      const part = path.join(ctx.partialDir, `${binary.package}_${binary.version}.deb.part`);
      await download(url, part, { timeoutMs: ctx.timeoutMs, progress: ctx.progress, label: `${binary.package} ${binary.version}`, size: binary.debSize });
      const { size } = await stat(part);
      if (size !== binary.debSize) {
        await rm(part, { force: true });
        throw new HashMismatch(`the .deb from ${url} has ${size} bytes, debianBinary.debSize of "${ctx.pin.name}" is ${binary.debSize}`, "");
      }
      return deliverDebMember(ctx, binary, part, url);
    },
  };
}
