// A 9P2000.L client for protocol-level tests of HostShare: builds T-messages, returns reply
// bodies, and answers errors as errno numbers. Also lays out a share inside a fake zilchboot home
// so that "outside the share" holds files worth attacking (a store entry and the lock).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { nativeFs } from "../../src/vm/p9/host-fs.js";
import { HostShare, type HostShareOptions } from "../../src/vm/p9/host-share.js";
import { P9, Reader, readHeader, Writer } from "../../src/vm/p9/wire.js";
import { tempDir } from "./provisioned.js";

// Linux open flags and the O_DIRECTORY the guest sends for a listing.
export const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_DIRECTORY = 0o200000;
/** Tsetattr `valid` bits. */
export const SET_MODE = 0x1, SET_SIZE = 0x8;
export const S_IFIFO = 0o010000, S_IFCHR = 0o020000;

export class P9Client {
  private tag = 1;
  constructor(readonly share: HostShare) {}

  private async send(type: number, body: (w: Writer) => void): Promise<{ type: number; r: Reader }> {
    const w = new Writer().u32(0).u8(type).u16(this.tag++);
    body(w);
    const { header, body: r } = readHeader(await this.share.handle(w.finish()));
    return { type: header.type, r };
  }

  /** The reply body; fails the test on an error reply. */
  async call(type: number, body: (w: Writer) => void): Promise<Reader> {
    const reply = await this.send(type, body);
    if (reply.type === P9.Rlerror) assert.fail(`message ${type} failed with errno ${reply.r.u32()}`);
    assert.equal(reply.type, type + 1);
    return reply.r;
  }

  /** The errno of a request that must fail. */
  async errno(type: number, body: (w: Writer) => void): Promise<number> {
    const reply = await this.send(type, body);
    assert.equal(reply.type, P9.Rlerror, `message ${type} was expected to fail`);
    return reply.r.u32();
  }

  /** Tversion + Tattach as fid 0. */
  async attach(): Promise<void> {
    await this.call(P9.Tversion, (w) => w.u32(512000).str("9P2000.L"));
    await this.call(P9.Tattach, (w) => w.u32(0).u32(0xffffffff).str("root").str("").u32(0));
  }

  walk(fid: number, newFid: number, names: string[]): Promise<Reader> {
    return this.call(P9.Twalk, (w) => { w.u32(fid).u32(newFid).u16(names.length); for (const n of names) w.str(n); });
  }

  walkErrno(fid: number, newFid: number, names: string[]): Promise<number> {
    return this.errno(P9.Twalk, (w) => { w.u32(fid).u32(newFid).u16(names.length); for (const n of names) w.str(n); });
  }

  mkdir(dir: number, name: string, mode = 0o755): Promise<Reader> {
    return this.call(P9.Tmkdir, (w) => w.u32(dir).str(name).u32(mode).u32(0));
  }

  symlink(dir: number, name: string, target: string): Promise<Reader> {
    return this.call(P9.Tsymlink, (w) => w.u32(dir).str(name).str(target).u32(0));
  }

  lcreate(dir: number, name: string, mode = 0o644): Promise<Reader> {
    return this.call(P9.Tlcreate, (w) => w.u32(dir).str(name).u32(O_CREAT | O_WRONLY).u32(mode).u32(0));
  }

  renameat(oldDir: number, oldName: string, newDir: number, newName: string): Promise<Reader> {
    return this.call(P9.Trenameat, (w) => w.u32(oldDir).str(oldName).u32(newDir).str(newName));
  }

  /** Tsetattr with only `valid`, mode and size set. */
  setattr(fid: number, valid: number, { mode = 0, size = 0 }: { mode?: number; size?: number }): Promise<Reader> {
    return this.call(P9.Tsetattr, (w) => w.u32(fid).u32(valid).u32(mode).u32(0).u32(0).u64(size).u64(0).u64(0).u64(0).u64(0));
  }

  setattrErrno(fid: number, valid: number, { mode = 0, size = 0 }: { mode?: number; size?: number }): Promise<number> {
    return this.errno(P9.Tsetattr, (w) => w.u32(fid).u32(valid).u32(mode).u32(0).u32(0).u64(size).u64(0).u64(0).u64(0).u64(0));
  }

  /** Writes `data` at `offset` through an open fid; returns the count written. */
  async write(fid: number, offset: number, data: string | Uint8Array): Promise<number> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return (await this.call(P9.Twrite, (w) => w.u32(fid).u64(BigInt(offset)).u32(bytes.byteLength).bytes(bytes))).u32();
  }

  /** Reads a whole file through a fresh fid walked to `names`. */
  async readFile(names: string[], fid = 900): Promise<string> {
    await this.walk(0, fid, names);
    await this.call(P9.Tlopen, (w) => w.u32(fid).u32(O_RDONLY));
    let text = "";
    for (let offset = 0; ; ) {
      const r = await this.call(P9.Tread, (w) => w.u32(fid).u64(BigInt(offset)).u32(65536));
      const count = r.u32();
      if (count === 0) break;
      text += new TextDecoder().decode(r.bytes(count));
      offset += count;
    }
    await this.clunk(fid);
    return text;
  }

  clunk(fid: number): Promise<Reader> {
    return this.call(P9.Tclunk, (w) => w.u32(fid));
  }

  link(dir: number, target: number, name: string): Promise<Reader> {
    return this.call(P9.Tlink, (w) => w.u32(dir).u32(target).str(name));
  }

  unlinkat(dir: number, name: string, flags = 0): Promise<Reader> {
    return this.call(P9.Tunlinkat, (w) => w.u32(dir).str(name).u32(flags));
  }

  readlink(fid: number): Promise<string> {
    return this.call(P9.Treadlink, (w) => w.u32(fid)).then((r) => r.str());
  }

  /** The names in a directory walked to `names`, without "." and "..". */
  async list(names: string[], fid = 901): Promise<string[]> {
    await this.walk(0, fid, names);
    await this.call(P9.Tlopen, (w) => w.u32(fid).u32(O_RDONLY | O_DIRECTORY));
    const found: string[] = [];
    for (let offset = 0n; ;) {
      const r = await this.call(P9.Treaddir, (w) => w.u32(fid).u64(offset).u32(4096));
      const count = r.u32();
      if (count === 0) break;
      const data = new Reader(r.bytes(count));
      for (let used = 0; used < count;) {
        data.bytes(13); offset = data.u64(); data.u8();
        const name = data.str();
        if (name !== "." && name !== "..") found.push(name);
        used += 13 + 8 + 1 + 2 + Buffer.byteLength(name);
      }
    }
    await this.clunk(fid);
    return found;
  }

  /** The st_mode the server reports for a fid. */
  async mode(fid: number): Promise<number> {
    const r = await this.call(P9.Tgetattr, (w) => w.u32(fid).u64(0x7ff));
    r.u64(); r.bytes(13);
    return r.u32();
  }
}

/** A fake zilchboot home: `out` (the share) sits at runs/x/entry/out as in a real build, with a
 *  store entry and a lock file outside it, at the relative paths a guest would aim for. */
export interface AttackHome {
  home: string;
  out: string;
  /** A store entry's record, outside the share: `../../../../store/e/record.json` from `out`. */
  record: string;
  /** From inside `out`, the store's directory. */
  storeFromOut: string;
  /** From inside `out`, the record. */
  recordFromOut: string;
  /** Every file and directory under `home` except the share, with mode and size (for "nothing
   *  outside the share changed"). */
  outside(): Promise<string[]>;
  dispose(): Promise<void>;
}

/** Hosts with symlinks that the symlink attacks run on: this one, whose opens carry O_NOFOLLOW,
 *  and the same file system without O_NOFOLLOW, as on Windows (which has symlinks), where the
 *  share checks each last component with lstat before opening it. Both must refuse the same. */
export const SYMLINK_HOSTS: { label: string; options: HostShareOptions }[] = [
  { label: "this host (O_NOFOLLOW)", options: {} },
  { label: "a host without O_NOFOLLOW", options: { fs: { ...nativeFs, noFollow: undefined } } },
];

export const RECORD_TEXT = '{"stage":"victim"}\n';

export async function attackHome(options: HostShareOptions = {}): Promise<AttackHome & { client: P9Client }> {
  const home = await tempDir("p9-attack");
  const out = path.join(home, "runs", "x", "entry", "out");
  const record = path.join(home, "store", "e", "record.json");
  await fs.mkdir(out, { recursive: true });
  await fs.mkdir(path.dirname(record), { recursive: true });
  await fs.writeFile(record, RECORD_TEXT, { mode: 0o644 });
  await fs.writeFile(path.join(home, "lock.json"), "{}\n", { mode: 0o644 });
  const outside = async () => {
    const seen: string[] = [];
    const visit = async (dir: string): Promise<void> => {
      for (const name of (await fs.readdir(dir)).sort()) {
        const file = path.join(dir, name);
        if (file === out) continue;
        const st = await fs.lstat(file);
        seen.push(`${path.relative(home, file)} ${st.mode.toString(8)} ${st.isDirectory() ? "-" : st.size}`);
        if (st.isDirectory()) await visit(file);
      }
    };
    await visit(home);
    return seen;
  };
  const client = new P9Client(new HostShare(out, false, options));
  await client.attach();
  return {
    home, out, record, client, outside,
    storeFromOut: "../../../../store/e",
    recordFromOut: "../../../../store/e/record.json",
    dispose: async () => {
      await client.share.close();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}
