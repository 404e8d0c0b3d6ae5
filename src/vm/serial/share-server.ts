// Our 9P2000.L server for one share, listening for the one QEMU chardev that carries its
// virtio-serial port: a unix socket with a random name in a private directory, or TCP on
// 127.0.0.1 with a random port (the Windows shape). It listens before QEMU starts (QEMU connects
// as a client at start-up and fails when nobody listens), takes exactly one connection and refuses
// every other one, so a stray local client either gets nothing or makes the run fail (QEMU's own
// connection is refused, the guest finds no share); it never joins a share unnoticed.
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { FrameError, P9Framer } from "../p9/framer.js";
import { MAX_MSIZE, type HostShare } from "../p9/host-share.js";
import { qemuOptionValue } from "../qemu-option.js";
import type { SerialChannel } from "../share-transport.js";

/** Room above msize for the framer: the guest never sends more than msize, this only tells a
 *  large message from garbage. */
export const FRAME_SLACK = 4096;

export interface ShareServerOptions {
  /** "root" or "out": names the share in messages. */
  label: string;
  share: HostShare;
  channel: SerialChannel;
  /** Private directory (0700) for the unix socket. */
  dir: string;
  /** Called once if the server ends the connection itself (garbage frames, a failed write, or an
   *  injected death): the run cannot go on. */
  onFailure: (why: string) => void;
  /** Tests: the server "dies" (drops the connection) once it has read this many messages. */
  dieAfterMessages?: number;
}

export class ShareServer {
  /** Requests read from the guest so far. */
  messages = 0;
  /** Why the server ended the connection, if it did. */
  failure: string | null = null;
  private connection: net.Socket | null = null;
  private accepting = false;
  private refused = 0;

  private constructor(
    private readonly opts: ShareServerOptions,
    private readonly server: net.Server,
    /** The chardev options that reach this server: `path=…` or `host=127.0.0.1,port=…`. */
    readonly chardev: string,
  ) {}

  /** Listens (not yet accepting: see accept()). */
  static async listen(opts: ShareServerOptions): Promise<ShareServer> {
    const server = net.createServer({ noDelay: true });
    const where = opts.channel === "unix" ? path.join(opts.dir, `${opts.label}-${randomBytes(6).toString("hex")}.sock`) : { host: "127.0.0.1", port: 0 };
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(where, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    const chardev = typeof address === "string"
      ? `path=${qemuOptionValue(address)}`
      : `host=127.0.0.1,port=${address!.port},nodelay=on`;
    const self = new ShareServer(opts, server, chardev);
    server.on("connection", (socket) => self.onConnection(socket));
    return self;
  }

  /** From now on the first connection is served (call right after QEMU is spawned). */
  accept(): void {
    this.accepting = true;
  }

  get connected(): boolean {
    return this.connection !== null;
  }

  /** Connections refused (before QEMU started, or after the one we serve). */
  get refusedConnections(): number {
    return this.refused;
  }

  private onConnection(socket: net.Socket): void {
    if (!this.accepting || this.connection) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.connection = socket;
    // Nobody else may connect now: stop listening (a unix socket's file goes away).
    this.server.close();
    socket.setNoDelay(true);
    const framer = new P9Framer(MAX_MSIZE + FRAME_SLACK);
    socket.on("error", () => {
      // QEMU went away (killed, or exited while we wrote): the run's outcome says what happened.
    });
    socket.on("data", (chunk: Buffer) => {
      let messages: Uint8Array[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        this.fail(err instanceof FrameError ? `${err.message} after ${this.messages} messages` : String(err));
        return;
      }
      for (const message of messages) {
        this.messages++;
        if (this.opts.dieAfterMessages !== undefined && this.messages >= this.opts.dieAfterMessages) {
          this.fail(`the server stopped after ${this.messages} messages (injected fault)`);
          return;
        }
        // handle() answers strictly in arrival order, so replies are written in request order.
        void this.opts.share.handle(message).then((reply) => {
          if (socket.destroyed) return;
          if (!socket.write(reply)) {
            socket.pause();
            socket.once("drain", () => socket.resume());
          }
        });
      }
    });
  }

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = `${this.opts.label} share: ${why}`;
    this.connection?.destroy();
    this.opts.onFailure(this.failure);
  }

  /** Stops listening, drops the connection, closes the files the guest left open. */
  async close(): Promise<void> {
    this.connection?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.opts.share.close();
  }
}
