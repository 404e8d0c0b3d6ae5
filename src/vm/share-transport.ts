// How a QEMU guest gets its 9p shares (`--transport`): QEMU's own virtio-9p devices (`-fsdev
// local`), or our 9P2000.L server (p9/host-share.ts) over virtio-serial ports (serial/), for QEMU
// builds without virtfs: every Windows build, and macOS before 7.0. `auto` asks the QEMU at hand
// whether it has a virtio-9p device; the answer is cached per binary (path, size, mtime).
import { statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { ZilchError } from "../errors.js";
import { writeJsonAtomic } from "../store/atomic-file.js";

export const TRANSPORTS = ["auto", "virtio-9p", "serial", "serial-tcp"] as const;
export type TransportRequest = (typeof TRANSPORTS)[number];

/** Where QEMU's socket chardevs connect to our server: a unix socket, or TCP on 127.0.0.1 (what
 *  QEMU and Node both have on Windows). */
export type SerialChannel = "unix" | "tcp";
export type ShareTransport = { kind: "virtio-9p" } | { kind: "serial"; channel: SerialChannel };

export function parseTransport(raw: string | undefined): TransportRequest {
  const value = raw ?? "auto";
  if (!(TRANSPORTS as readonly string[]).includes(value)) {
    throw new ZilchError({
      code: "USAGE",
      message: `--transport must be one of ${TRANSPORTS.join(", ")}, got ${JSON.stringify(value)}`,
      hint: "auto uses virtio-9p when QEMU has it, else 9p over virtio-serial ports",
    });
  }
  return value as TransportRequest;
}

/** "virtio-9p", "9p over virtio-serial (unix socket)", "9p over virtio-serial (TCP 127.0.0.1)". */
export function describeTransport(transport: ShareTransport): string {
  if (transport.kind === "virtio-9p") return "virtio-9p";
  return `9p over virtio-serial (${transport.channel === "unix" ? "unix socket" : "TCP 127.0.0.1"})`;
}

/** The transport for a request, given what QEMU has. Pure. */
export function decideTransport(request: TransportRequest, has: QemuDevices, binary: string, platform: NodeJS.Platform = process.platform): ShareTransport {
  const serial: ShareTransport = { kind: "serial", channel: request === "serial-tcp" || platform === "win32" ? "tcp" : "unix" };
  const wanted = request === "auto" ? (has.virtio9p ? "virtio-9p" : "serial") : request === "virtio-9p" ? "virtio-9p" : "serial";
  if (wanted === "virtio-9p" && !has.virtio9p) {
    throw new ZilchError({
      code: "VM",
      message: `${binary} has no virtio-9p device (built without virtfs, as every Windows build is)`,
      hint: "use --transport serial (or auto): the shares then go over virtio-serial ports",
    });
  }
  if (wanted === "serial" && !has.virtioSerial) {
    throw new ZilchError({ code: "VM", message: `${binary} has no virtio-serial device, which --transport ${request} needs`, hint: "use a QEMU build with virtio-serial-pci, or --transport virtio-9p" });
  }
  return wanted === "virtio-9p" ? { kind: "virtio-9p" } : serial;
}

export interface QemuDevices {
  virtio9p: boolean;
  virtioSerial: boolean;
}

/** The devices a QEMU binary lists in `-device help` that the transports need. Pure. */
export function parseDeviceHelp(text: string): QemuDevices {
  const has = (name: string) => new RegExp(`^name "${name}"`, "m").test(text);
  return { virtio9p: has("virtio-9p-pci"), virtioSerial: has("virtio-serial-pci") && has("virtserialport") };
}

interface DevicesFile {
  [key: string]: QemuDevices & { checkedAt: string };
}

/** What `binary` offers, asked once per binary file and cached in `<cacheDir>/qemu-devices.json`. */
export async function qemuDevices(binary: string, cacheDir: string): Promise<QemuDevices> {
  const key = binaryKey(binary);
  const file = path.join(cacheDir, "qemu-devices.json");
  const cached: DevicesFile = await fs.readFile(file, "utf8").then((text) => JSON.parse(text) as DevicesFile, () => ({}));
  const hit = key ? cached[key] : undefined;
  if (hit) return { virtio9p: hit.virtio9p, virtioSerial: hit.virtioSerial };
  const result = await execa(binary, ["-M", "none", "-device", "help"], { reject: false, timeout: 30_000, stdin: "ignore" });
  if (result.exitCode !== 0) {
    throw new ZilchError({ code: "VM", message: `\`${binary} -device help\` failed (${(result.shortMessage ?? `exit ${result.exitCode}`).split("\n")[0]})`, hint: "install QEMU (scripts/setup-host.sh) or pass --qemu" });
  }
  // QEMU prints the list on stdout, some builds on stderr.
  const devices = parseDeviceHelp(`${result.stdout}\n${result.stderr}`);
  if (key) {
    cached[key] = { ...devices, checkedAt: new Date().toISOString() };
    await fs.mkdir(cacheDir, { recursive: true });
    await writeJsonAtomic(file, cached);
  }
  return devices;
}

/** path|size|mtime of the file `binary` runs (looked up on PATH when it is a bare name); undefined
 *  when it cannot be found, so nothing is cached for it. */
export function binaryKey(binary: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const candidates = binary.includes("/") || binary.includes(path.sep)
    ? [path.resolve(binary)]
    : (env.PATH ?? "").split(path.delimiter).filter(Boolean).flatMap((dir) => {
      const base = path.join(dir, binary);
      return platform === "win32" ? [base, ...(env.PATHEXT ?? ".EXE").split(";").map((ext) => base + ext.toLowerCase())] : [base];
    });
  for (const file of candidates) {
    try {
      const st = statSync(file);
      if (st.isFile()) return `${file}|${st.size}|${Math.round(st.mtimeMs)}`;
    } catch {
      // not this one
    }
  }
  return undefined;
}
