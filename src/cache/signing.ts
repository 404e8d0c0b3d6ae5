// ed25519 signatures on cache records, with Node's own crypto (no dependency). A key is named in
// recipes/cache-keys.json as "ed25519:<base64 of the 32-byte public key>"; a record names the key
// that signed it by id (the first 16 hex digits of the public key's sha256), so verifying never
// tries keys in turn and a record cannot pick an untrusted key of its own.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import fs from "node:fs/promises";
import { ZilchError } from "../errors.js";
import { displayPath, readJsonFile, validateDocument } from "../schema/json-schema.js";
import { signedText, type CacheRecord } from "./cache-record.js";

export interface TrustedKey {
  name: string;
  keyId: string;
  key: KeyObject;
}

const PREFIX = "ed25519:";

function rawPublicKey(key: KeyObject): Buffer {
  // The JWK "x" member is the raw 32-byte public key, base64url.
  return Buffer.from(key.export({ format: "jwk" }).x as string, "base64url");
}

export function keyIdOf(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex").slice(0, 16);
}

/** "ed25519:<base64>" for a public (or private) key. */
export function publicKeyLine(key: KeyObject): string {
  return PREFIX + rawPublicKey(key.type === "private" ? createPublicKey(key) : key).toString("base64");
}

function publicKeyFrom(line: string): KeyObject {
  const raw = Buffer.from(line.slice(PREFIX.length), "base64");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

/** The repository's trusted keys; a missing file trusts none. */
export async function readTrustedKeys(file: string): Promise<TrustedKey[]> {
  if (!(await fs.stat(file).then(() => true, () => false))) return [];
  const origin = displayPath(file);
  const doc = await validateDocument<{ keys: Array<{ name: string; publicKey: string }> }>("cache-keys", await readJsonFile(file), origin);
  return doc.keys.map(({ name, publicKey }) => {
    try {
      const key = publicKeyFrom(publicKey);
      return { name, key, keyId: keyIdOf(rawPublicKey(key)) };
    } catch (cause) {
      throw new ZilchError({ code: "PIN", message: `${origin}: key ${JSON.stringify(name)} is not an ed25519 public key (${(cause as Error).message})`, hint: "paste the line 'zilchboot cache-keygen' printed", cause });
    }
  });
}

/** The signing key in a PKCS#8 PEM file (as `zilchboot cache-keygen` writes it). */
export async function readSigningKey(file: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await fs.readFile(file, "utf8");
  } catch (cause) {
    throw new ZilchError({ code: "USAGE", message: `cannot read the cache signing key ${file} (${(cause as NodeJS.ErrnoException).code ?? cause})`, hint: "point ZILCHBOOT_CACHE_SIGNING_KEY at the file 'zilchboot cache-keygen' wrote", cause });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new ZilchError({ code: "USAGE", message: `${file} is not a PEM private key (${(cause as Error).message})`, hint: "generate one with 'zilchboot cache-keygen FILE'", cause });
  }
  if (key.asymmetricKeyType !== "ed25519") throw new ZilchError({ code: "USAGE", message: `${file} holds a ${key.asymmetricKeyType} key; cache records are signed with ed25519`, hint: "generate one with 'zilchboot cache-keygen FILE'" });
  return key;
}

export function signRecord(record: CacheRecord, key: KeyObject): CacheRecord {
  const unsigned = { ...record };
  delete unsigned.signature;
  const ed25519 = sign(null, signedText(unsigned), key).toString("base64");
  return { ...unsigned, signature: { keyId: keyIdOf(rawPublicKey(createPublicKey(key))), ed25519 } };
}

/** The trusted key that signed this record, or why none did. */
export function checkSignature(record: CacheRecord, keys: TrustedKey[]): { signedBy: string } | { invalid: string } {
  if (!record.signature) return { invalid: "it is not signed" };
  const key = keys.find((k) => k.keyId === record.signature!.keyId);
  if (!key) return { invalid: `its signing key ${record.signature.keyId} is not in the repository's cache-keys.json` };
  const ok = verify(null, signedText(record), key.key, Buffer.from(record.signature.ed25519, "base64"));
  return ok ? { signedBy: key.name } : { invalid: `its signature does not verify with key ${key.name} (${key.keyId})` };
}

/** A new key pair: the private key as PKCS#8 PEM and the public key line for cache-keys.json. */
export function generateSigningKey(): { pem: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { pem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), publicKey: publicKeyLine(privateKey) };
}
