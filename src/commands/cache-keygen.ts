// `zilchboot cache-keygen FILE`: a new ed25519 key for signing pushed cache records. The private
// key goes to FILE (0600, never overwritten); the public key line goes to stdout, for a reviewer
// to add to recipes/cache-keys.json.
import fs from "node:fs/promises";
import { str } from "../cli-options.js";
import { ZilchError } from "../errors.js";
import { generateSigningKey } from "../cache/signing.js";
import type { CommandContext } from "./context.js";

export const help = `Generates an ed25519 key pair for signing the cache records 'build --cache-push' uploads. Writes
the private key (PKCS#8 PEM, mode 0600) to FILE, refusing to overwrite one, and prints the entry to
add to recipes/cache-keys.json. Pushers then set ZILCHBOOT_CACHE_SIGNING_KEY=FILE.
  --name NAME      whose key it is, for the entry (default: the file's name)`;

export async function run(ctx: CommandContext): Promise<void> {
  if (ctx.positionals.length !== 1) throw new ZilchError({ code: "USAGE", message: "cache-keygen takes one FILE to write the private key to", hint: "e.g. zilchboot cache-keygen ~/.config/zilchboot/cache-signing.pem" });
  const file = ctx.positionals[0];
  const name = str(ctx, "name") ?? file.replace(/^.*[\\/]/, "").replace(/\.pem$/, "");
  const { pem, publicKey } = generateSigningKey();
  try {
    await fs.writeFile(file, pem, { mode: 0o600, flag: "wx" });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ZilchError({ code: "USAGE", message: `cannot write ${file} (${code ?? (cause as Error).message})`, hint: code === "EEXIST" ? "it exists: keep it, or remove it first" : "choose a writable path", cause });
  }
  ctx.log(`wrote the private key to ${file}; push with ZILCHBOOT_CACHE_SIGNING_KEY=${file}`);
  ctx.log("add this entry to the \"keys\" list of recipes/cache-keys.json:");
  ctx.print(`    { "name": ${JSON.stringify(name)}, "publicKey": "${publicKey}" }`);
}
