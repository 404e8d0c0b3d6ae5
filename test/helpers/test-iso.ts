// Builds a small BIOS-bootable ISO for boot-iso tests, from Debian packages only (never committed):
// GRUB (grub-mkrescue + xorriso) boots Debian's cloud kernel with console=ttyS0 and an initramfs
// whose /init (test/fixtures/iso/init.c, static via musl-gcc) prints a line and powers off, or, in
// the holding variant, prints it and stays up until the test stops the VM.
//
// The kernel is the one download the tests make (apt-get download, ~100 MB .deb, once; cached under
// the cache dir). `.ci/run` fetches it during setup, while the network is there, so `npm test`
// itself runs offline: `node -e 'import("./dist/test/helpers/test-iso.js").then((m) => m.testIsoKernel())'`.
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { cacheDir, repoRoot } from "../../src/paths.js";

/** What the test ISO's init prints: only a running PID 1 can, the "1" is formatted at run time. */
export const TEST_ISO_MARKER = "zilchboot-test-iso: init running as pid 1";
/** What the holding variant prints after the marker instead of powering off. */
export const TEST_ISO_HOLDING = "zilchboot-test-iso: holding, pid 1";

/** Debian's kernel, not ours: the project's guest kernel has no initramfs and no CD drivers. The
 *  cloud flavour has the 8250 serial console, devtmpfs and initramfs built in. */
const KERNEL_PACKAGE = "linux-image-cloud-amd64";

export interface TestIso {
  iso: string;
  bytes: number;
  /** Wall time of the build (kernel already cached). */
  buildMs: number;
  kernel: string;
}

/** The cloud kernel's vmlinuz, fetched with apt-get download once and cached. */
export async function testIsoKernel(): Promise<string> {
  const dir = path.join(cacheDir(), "test-iso-kernel");
  const cached = (await fs.readdir(dir).catch(() => [])).find((name) => name.startsWith("vmlinuz-"));
  if (cached) return path.join(dir, cached);
  const { stdout } = await execa("apt-cache", ["depends", KERNEL_PACKAGE]);
  const pkg = /Depends: (linux-image-\S+)/.exec(stdout)?.[1];
  if (!pkg) throw new Error(`apt-cache depends ${KERNEL_PACKAGE} names no kernel package:\n${stdout}`);
  await fs.mkdir(dir, { recursive: true });
  const scratch = await fs.mkdtemp(path.join(dir, "download-"));
  try {
    await execa("apt-get", ["download", "-q", pkg], { cwd: scratch });
    const deb = (await fs.readdir(scratch)).find((name) => name.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    // A shell pipe: the package's ~100 MB of modules need not stream through Node.
    await execa("sh", ["-c", 'dpkg-deb --fsys-tarfile "$1" | tar -x --wildcards "./boot/vmlinuz-*"', "sh", deb], { cwd: scratch });
    const [vmlinuz] = await fs.readdir(path.join(scratch, "boot"));
    await fs.rename(path.join(scratch, "boot", vmlinuz), path.join(dir, vmlinuz));
    return path.join(dir, vmlinuz);
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

function grubCfg(hold: boolean): string {
  return `serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "zilchboot test ISO" {
  linux /boot/vmlinuz console=ttyS0 quiet${hold ? " zilchboot-test-iso.hold" : ""}
  initrd /boot/initrd.cpio
}
`;
}

/** Builds `dir/test.iso`, or `dir/test-hold.iso` whose init stays up (`hold`). */
export async function buildTestIso(dir: string, opts: { hold?: boolean } = {}): Promise<TestIso> {
  const hold = opts.hold === true;
  const kernel = await testIsoKernel();
  const started = performance.now();
  const name = hold ? "test-hold" : "test";
  const tree = path.join(dir, `${name}-tree`);
  const initrd = path.join(dir, `${name}-initrd`);
  await fs.mkdir(path.join(tree, "boot", "grub"), { recursive: true });
  await fs.mkdir(path.join(initrd, "dev"), { recursive: true });
  await execa("musl-gcc", ["-static", "-Os", "-s", "-o", path.join(initrd, "init"), path.join(repoRoot, "test", "fixtures", "iso", "init.c")]);
  // newc is the format the kernel unpacks; -R 0:0 so that a non-root build gives root-owned files.
  await execa("cpio", ["-o", "-H", "newc", "-R", "0:0", "--quiet", "-O", path.join(tree, "boot", "initrd.cpio")], { cwd: initrd, input: ".\ndev\ninit\n" });
  await fs.copyFile(kernel, path.join(tree, "boot", "vmlinuz"));
  await fs.writeFile(path.join(tree, "boot", "grub", "grub.cfg"), grubCfg(hold));
  const iso = path.join(dir, `${name}.iso`);
  await execa("grub-mkrescue", ["-o", iso, tree]);
  const buildMs = Math.round(performance.now() - started);
  await fs.rm(tree, { recursive: true, force: true });
  await fs.rm(initrd, { recursive: true, force: true });
  return { iso, bytes: (await fs.stat(iso)).size, buildMs, kernel };
}
