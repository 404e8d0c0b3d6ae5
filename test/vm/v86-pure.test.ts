// The pure parts of the v86 backend: backend selection, kernel recognition, firmware lookup,
// emulator options and the exit-port protocol.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import type { BootSpec } from "../../src/vm/backend.js";
import { bootMaterials } from "../../src/stages/chain.js";
import type { Provisioner, Session } from "../../src/stages/session.js";
import type { StageRecipe } from "../../src/stages/recipe.js";
import { decideBackend, parseBackend } from "../../src/vm/select.js";
import { V86Backend } from "../../src/vm/v86.js";
import { describeKernel, findFirmware, firmwareCandidates, kernelProblem, v86Options } from "../../src/vm/v86-options.js";
import { provisioned } from "../helpers/provisioned.js";

const small = { name: "0-smoke", small: true, arch: "i386" } as const;
const big = { name: "2a1-binutils", small: false, arch: "i386" } as const;
const x86_64 = <T extends object>(stage: T) => ({ ...stage, arch: "x86_64" as const });

test("auto picks QEMU when it runs, else v86 for small i386 stages, else one clear error", () => {
  assert.equal(decideBackend("auto", x86_64(big), true), "qemu");
  assert.equal(decideBackend("auto", small, true), "qemu");
  assert.equal(decideBackend("auto", small, false), "v86");
  assert.throws(() => decideBackend("auto", big, false), (err: ZilchError) => /not marked "small"/.test(err.message) && /--backend v86/.test(err.hint ?? ""));
  assert.throws(() => decideBackend("auto", x86_64(small), false), /32-bit x86 only/);
  assert.equal(decideBackend("qemu", small, false), "qemu");
});

test("--backend v86 runs i386 stages of any size and refuses x86_64 ones in one line", () => {
  assert.equal(decideBackend("v86", big, true), "v86");
  assert.throws(() => decideBackend("v86", x86_64(small), true), (err: ZilchError) => {
    assert.equal(err.message, "stage 0-smoke cannot run under v86: it is an x86_64 stage and v86 emulates a 32-bit x86 only (no long mode)");
    return true;
  });
  assert.equal(parseBackend(undefined), "auto");
  assert.throws(() => parseBackend("bochs"), /--backend must be one of qemu, v86, auto/);
});

function bzImageHead(xloadflags: number): Uint8Array {
  const head = new Uint8Array(0x240);
  head.set([0x48, 0x64, 0x72, 0x53], 0x202); // "HdrS"
  head[0x236] = xloadflags;
  return head;
}

test("v86 boots 32-bit bzImages only: x86_64 and ELF kernels are refused with the reason", async () => {
  assert.deepEqual(describeKernel(bzImageHead(0)), { format: "bzImage", x86_64: false });
  assert.equal(kernelProblem(describeKernel(bzImageHead(0)), "k"), null);
  assert.match(kernelProblem(describeKernel(bzImageHead(1)), "k") ?? "", /x86_64 kernel; v86 emulates a 32-bit x86 only/);
  assert.match(kernelProblem(describeKernel(new Uint8Array(16)), "k") ?? "", /neither a bzImage nor an ELF/);
  // The project's real x86_64 vmlinux.
  const { kernel } = await provisioned();
  const head = new Uint8Array(await fs.readFile(kernel.path)).subarray(0, 0x240);
  assert.deepEqual(describeKernel(head), { format: "elf", x86_64: true });
  assert.match(kernelProblem(describeKernel(head), kernel.path) ?? "", /x86_64 kernel/);
});

test("SeaBIOS is looked for where distributions put it; an override comes first", () => {
  const candidates = firmwareCandidates("linux", { ZILCHBOOT_SEABIOS_DIR: "/fw" });
  assert.deepEqual(candidates[0], { bios: "/fw/bios.bin", vgaBios: "/fw/vgabios-stdvga.bin" });
  assert.ok(candidates.some((c) => c.bios === "/usr/share/seabios/bios.bin"));
  const present = new Set(["/usr/share/qemu/bios.bin", "/usr/share/qemu/vgabios-stdvga.bin", "/fw/bios.bin"]);
  assert.equal(findFirmware(candidates, (f) => present.has(f))?.bios, "/usr/share/qemu/bios.bin", "a half pair is skipped");
  assert.equal(findFirmware(candidates, () => false), undefined);
});

test("v86 options: no NIC, our command line with the v86 root tag, stopped until our devices exist", () => {
  const spec: BootSpec = { kernel: "/k", rootDir: "/r", outDir: "/o", init: "/init", initArgs: ["exit=0"], memoryMiB: 256, cpus: 1, timeoutMs: 1, consoleLog: "/dev/null" };
  const buf = new ArrayBuffer(1);
  const options = v86Options(spec, { bios: buf, vgaBios: buf, bzimage: buf }, "/w/v86.wasm", "host9p");
  assert.equal(options.memory_size, 256 * 1024 * 1024);
  assert.equal(options.autostart, false);
  assert.ok(!("net_device" in options) && !("network_relay_url" in options) && !("filesystem" in options));
  assert.match(options.cmdline, /^console=ttyS0 .*root=host9p rootfstype=9p rootflags=trans=virtio,version=9p2000\.L.* ro init=\/init panic=-1 -- exit=0$/);
});

test("a stage on v86 gets its arch's kernel and seed, the v86 backend and one vCPU", async () => {
  const stage = { name: "0-smoke-i386", arch: "i386", small: true, runner: "seed-tcc", sources: [] } as unknown as StageRecipe;
  const v86 = new V86Backend();
  const asked: string[] = [];
  const provision: Provisioner = {
    pins: async () => ({}),
    knownSeedSha256: async () => null,
    seed: async (arch) => (asked.push(`seed ${arch}`), { path: `/${arch}/tcc-seed`, sha256: "s" }),
    kernel: async (arch) => (asked.push(`kernel ${arch}`), { path: `/${arch}/bzImage`, identity: {} }),
    sources: async () => ({}),
  };
  const session = { vm: { cpus: 2 }, provision, runnerFor: async () => ({ bootsKernel: true, backend: () => v86 }) } as unknown as Session;
  assert.deepEqual(await bootMaterials(session, stage), { backend: v86, kernel: { path: "/i386/bzImage", identity: {} }, seed: "/i386/tcc-seed", sources: {}, cpus: 1 });
  assert.deepEqual(asked, ["kernel i386", "seed i386"]);
});
