// Who may talk to the web shell: requests must carry the session's random token, name our exact
// loopback host (against DNS rebinding) and, when a browser says where it comes from, our origin.
import { randomBytes, timingSafeEqual } from "node:crypto";

/** 128 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(16).toString("base64url");
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function ownOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export type AccessVerdict = { ok: true } | { ok: false; status: 403; reason: string };

export interface RequestFacts {
  host: string | undefined;
  origin: string | undefined;
  token: string | null;
  /** WebSocket upgrades must name an origin: every browser sends one. */
  websocket: boolean;
}

export function checkAccess(facts: RequestFacts, port: number, token: string): AccessVerdict {
  if (facts.host !== `127.0.0.1:${port}`) return { ok: false, status: 403, reason: `wrong Host ${JSON.stringify(facts.host ?? "")}` };
  if (facts.origin !== undefined || facts.websocket) {
    if (facts.origin !== ownOrigin(port)) return { ok: false, status: 403, reason: `origin ${JSON.stringify(facts.origin ?? "(none)")} refused` };
  }
  if (!tokenMatches(token, facts.token)) return { ok: false, status: 403, reason: "missing or wrong token" };
  return { ok: true };
}
