// The last resort for a pin whose file lives inside another archive: get the archive (itself a
// pin, fetched and verified like any other and kept in the cache under its own name), extract the
// member while hashing it, and deliver it only if it matches the pin. A mismatch names its level:
// the outer archive's bytes, or the inner file's.
import { rm } from "node:fs/promises";
import { ZilchError } from "../../errors.js";
import { extractArchiveMember } from "../archive-member.js";
import { archivePin, type InsideArchive, type SourcePin } from "../pins.js";
import { HashMismatch, ProviderFailure, uniqueTemp, type FetchContext, type Provider } from "./provider.js";

/** Fetches a pin (through every provider, under its own lock) and returns its verified path. */
export type ObtainPin = (pin: SourcePin) => Promise<string>;

export function archiveProvider(pin: SourcePin & { insideArchive: InsideArchive }, obtain: ObtainPin): Provider {
  const archive = archivePin(pin);
  const { member } = pin.insideArchive;
  return {
    label: `member ${member} of ${archive.file}`,
    mismatchHint: `the archive holds other bytes at ${member} than the pin says: check "${pin.name}" (file, sha256, size, insideArchive.member)`,
    async fetch(ctx: FetchContext): Promise<string> {
      const outer = await obtainArchive(pin, archive, obtain);
      ctx.log(`${pin.file}: extracting ${member} from ${archive.file} (verified)`);
      const temp = uniqueTemp(ctx, "member");
      try {
        const got = await extractArchiveMember(outer, archive.file, member, temp);
        if (got.sha256 !== pin.sha256 || got.size !== pin.size) {
          const sizes = got.size !== pin.size ? ` (${got.size} bytes, pinned ${pin.size})` : "";
          throw new HashMismatch(
            `pin "${pin.name}": inner file ${pin.file} (${member} in ${archive.file}, which matched its pin) has sha256 ${got.sha256}${sizes}, ${pin.origin ?? "the pin"} expects ${pin.sha256}`,
            "",
          );
        }
      } catch (error) {
        // Unverified bytes are never kept, whatever went wrong.
        await rm(temp, { force: true });
        throw error;
      }
      // deliver re-reads the file: the one gate every cached file passes, at ~0.3 s per 80 MB.
      return ctx.deliver(temp, `${member} in ${archive.file}`);
    },
  };
}

/** The verified outer archive, or its fetch's failure restated as this provider's (outer level). */
async function obtainArchive(pin: SourcePin, archive: SourcePin, obtain: ObtainPin): Promise<string> {
  try {
    return await obtain(archive);
  } catch (error) {
    if (!(error instanceof ZilchError)) throw error;
    if (error.code === "HASH_MISMATCH") throw new HashMismatch(`pin "${pin.name}": outer archive ${error.message}`, error.hint ?? "");
    throw new ProviderFailure(`outer archive: ${error.message}`, error.hint);
  }
}
