// The host end of an interactive guest's control port (ttyS1): a Unix socket QEMU connects to.
// Lines sent before QEMU has connected are queued, so a window size change is never lost.
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface ControlChannel {
  socketPath: string;
  send(line: string): void;
  close(): Promise<void>;
}

export async function openControlChannel(): Promise<ControlChannel> {
  // Unix socket paths are limited to ~100 bytes: keep it in the system temp dir.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-ctl-"));
  const socketPath = path.join(dir, "control.sock");
  let peer: net.Socket | null = null;
  const queued: string[] = [];
  const server = net.createServer((socket) => {
    if (peer) {
      socket.destroy();
      return;
    }
    peer = socket;
    // The guest never talks back on this port; errors only mean the VM went away.
    socket.on("error", () => {});
    for (const line of queued.splice(0)) socket.write(line);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    send(line) {
      const data = `${line}\n`;
      if (peer && !peer.destroyed) peer.write(data);
      else queued.push(data);
    },
    async close() {
      peer?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
