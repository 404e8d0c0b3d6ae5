// A real Bazel-style HTTP cache for the tests: Debian's nginx (scripts/setup-host.sh installs it),
// started by the test as the current user on 127.0.0.1 and a free port, with a generated config in
// a temp dir (pid, logs and temp files there too). Anyone may GET and HEAD; PUT (WebDAV) needs the
// generated write credential, checked by auth_basic against an htpasswd file in RFC 2307 {SSHA}
// form (salted SHA-1, which nginx reads natively: no openssl or apache2-utils needed).
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface NginxCache {
  url: string;
  /** Where nginx keeps the cache's files (cas/, ac/). */
  dataDir: string;
  user: string;
  password: string;
  /** The environment a pusher sets. */
  pushEnv: Record<string, string>;
  stop(): Promise<void>;
}

function nginxBinary(): string {
  const found = [process.env.ZILCHBOOT_TEST_NGINX, "/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((p) => p && existsSync(p));
  if (!found) throw new Error("nginx is not installed: run scripts/setup-host.sh --test-extras (it installs nginx) or set ZILCHBOOT_TEST_NGINX");
  return found;
}

/** A port nothing listens on right now (nginx may still lose it to a race: startNginx retries). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function sshaLine(user: string, password: string): string {
  const salt = randomBytes(8);
  const digest = createHash("sha1").update(password).update(salt).digest();
  return `${user}:{SSHA}${Buffer.concat([digest, salt]).toString("base64")}\n`;
}

function config(dir: string, port: number): string {
  const p = (name: string) => path.join(dir, name);
  // As root, nginx would switch its worker to "nobody", which cannot write our 0700 temp dir.
  const user = process.getuid?.() === 0 ? `user ${os.userInfo().username};\n` : "";
  return `${user}worker_processes 1;
pid ${p("nginx.pid")};
error_log ${p("error.log")} warn;
daemon off;
events { worker_connections 64; }
http {
  access_log ${p("access.log")};
  client_body_temp_path ${p("tmp/body")};
  proxy_temp_path ${p("tmp/proxy")};
  fastcgi_temp_path ${p("tmp/fastcgi")};
  uwsgi_temp_path ${p("tmp/uwsgi")};
  scgi_temp_path ${p("tmp/scgi")};
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${p("data")};
    client_max_body_size 0;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw;
      limit_except GET HEAD {
        auth_basic "zilchboot cache";
        auth_basic_user_file ${p("htpasswd")};
      }
    }
  }
}
`;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Starts nginx; stop() ends it (SIGQUIT, our own child) and removes its directory. */
export async function startNginx(): Promise<NginxCache> {
  const binary = nginxBinary();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-nginx-"));
  // create_full_put_path makes cas/ and ac/ but not the root itself.
  await fs.mkdir(path.join(dir, "data"));
  await fs.mkdir(path.join(dir, "tmp"));
  const user = "ci";
  const password = randomBytes(12).toString("hex");
  await fs.writeFile(path.join(dir, "htpasswd"), sshaLine(user, password));
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    await fs.writeFile(path.join(dir, "nginx.conf"), config(dir, port));
    const child = spawn(binary, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let up = false;
    for (let i = 0; i < 100 && child.exitCode === null && !up; i++) {
      up = await listening(port);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (up) return cache(dir, port, child, exited, user, password);
    child.kill("SIGKILL");
    await exited;
    lastError = await fs.readFile(path.join(dir, "error.log"), "utf8").catch(() => "(no error.log)");
  }
  await fs.rm(dir, { recursive: true, force: true });
  throw new Error(`nginx did not start: ${lastError.trim().split("\n").slice(-3).join(" | ")}`);
}

function cache(dir: string, port: number, child: ChildProcess, exited: Promise<number | null>, user: string, password: string): NginxCache {
  return {
    url: `http://127.0.0.1:${port}/`,
    dataDir: path.join(dir, "data"),
    user,
    password,
    pushEnv: { ZILCHBOOT_CACHE_USER: user, ZILCHBOOT_CACHE_PASSWORD: password },
    async stop() {
      if (child.exitCode === null) child.kill("SIGQUIT");
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
