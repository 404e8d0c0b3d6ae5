// One boot's shares over virtio-serial: the pre-init initramfs, and a listening ShareServer per
// share (root read-only, out writable), in a private directory that is removed afterwards. It also
// says when the transport broke: a server that ended its connection (the guest is stopped at once),
// or the guest's pre-init reporting that it could not mount the shares.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HostShare } from "../p9/host-share.js";
import type { ShareTree } from "../p9/share-tree.js";
import { describeTransport, type SerialChannel } from "../share-transport.js";
import { writePreinitInitramfs } from "./initramfs.js";
import { ShareServer } from "./share-server.js";

/** The pre-init's lines (vm/preinit/preinit.c) when it cannot set the shares up. */
export const PREINIT_MARKER = "zilchboot-preinit:";

/** What qemuArgs needs for the serial transport. */
export interface SerialShareArgs {
  initrd: string;
  /** Chardev options of each share's socket: `path=…` or `host=127.0.0.1,port=…`. */
  root: string;
  out?: string;
  /** Benchmark only (ZILCHBOOT_SERIAL_DIRECT=1): the pre-init mounts the ports themselves, no
   *  relay; needs a kernel with scripts/bench/virtio-console-iter.patch. */
  direct?: boolean;
}

export interface SerialSharesOptions {
  /** A host directory, or (`--share-fs memory|foreign`) a tree our server keeps the metadata of. */
  root: string | ShareTree;
  out?: string | ShareTree;
  channel: SerialChannel;
  /** The guest arch's static seed tcc, which runs the pre-init. */
  seed: string;
  /** Tests: this share's server drops its connection after that many messages. */
  fault?: { share: "root" | "out"; afterMessages: number };
}

export class SerialShares {
  private servers: ShareServer[] = [];
  private serverFailure: string | null = null;
  private preinitFailure: string | null = null;
  private stop: () => void = () => {};

  private constructor(
    private readonly dir: string,
    private readonly channel: SerialChannel,
    readonly args: SerialShareArgs,
  ) {}

  static async open(opts: SerialSharesOptions): Promise<SerialShares> {
    // Short and private: a unix socket path must stay under ~104 bytes, and only we may connect.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zb-"));
    const servers: ShareServer[] = [];
    let self: SerialShares | undefined;
    try {
      await fs.chmod(dir, 0o700);
      const initrd = path.join(dir, "initramfs.cpio");
      await writePreinitInitramfs(opts.seed, initrd);
      const serve = async (label: "root" | "out", share: HostShare) => {
        const server = await ShareServer.listen({
          label,
          share,
          channel: opts.channel,
          dir,
          onFailure: (why) => self?.broke(why),
          dieAfterMessages: opts.fault?.share === label ? opts.fault.afterMessages : undefined,
        });
        servers.push(server);
        return server.chardev;
      };
      const root = await serve("root", new HostShare(opts.root, true));
      const out = opts.out ? await serve("out", new HostShare(opts.out, false)) : undefined;
      const direct = process.env.ZILCHBOOT_SERIAL_DIRECT === "1";
      self = new SerialShares(dir, opts.channel, { initrd, root, ...(out ? { out } : {}), ...(direct ? { direct } : {}) });
      self.servers = servers;
      return self;
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private broke(why: string): void {
    this.serverFailure ??= why;
    // The transport is gone: the guest can only fail or hang now.
    this.stop();
  }

  /** QEMU is running: its connections are the ones to serve, and `stop` ends it if the transport
 *   breaks. */
  accept(stop: () => void): void {
    this.stop = stop;
    for (const server of this.servers) server.accept();
  }

  /** Watches the guest's console for the pre-init's failure line. */
  observe(line: string): void {
    if (line.startsWith(PREINIT_MARKER)) this.preinitFailure ??= line.slice(PREINIT_MARKER.length).trim();
  }

  /** Why the transport failed, naming it, or null. */
  failure(): string | null {
    const why = this.serverFailure ?? (this.preinitFailure ? `the guest's pre-init failed: ${this.preinitFailure}` : null);
    return why ? `${describeTransport({ kind: "serial", channel: this.channel })}: ${why}` : null;
  }

  /** Shares QEMU never connected to (it fails at start-up then, or a stray client got in first). */
  unconnected(): string[] {
    return this.servers.filter((s) => !s.connected).map((s) => (s === this.servers[0] ? "root" : "out"));
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
