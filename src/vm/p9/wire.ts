// 9P2000.L wire format: little-endian fields, strings as u16 length + UTF-8 bytes, every message
// framed as size[4] type[1] tag[2]. Pure: no I/O, so the codec is unit-tested on bytes.

/** Message types we serve (T = request, the reply is T + 1). Numbers from the 9P2000.L protocol. */
export const P9 = {
  Rlerror: 7,
  Tstatfs: 8,
  Tlopen: 12,
  Tlcreate: 14,
  Tsymlink: 16,
  Tmknod: 18,
  Trename: 20,
  Treadlink: 22,
  Tgetattr: 24,
  Tsetattr: 26,
  Txattrwalk: 30,
  Txattrcreate: 32,
  Treaddir: 40,
  Tfsync: 50,
  Tlock: 52,
  Tgetlock: 54,
  Tlink: 70,
  Tmkdir: 72,
  Trenameat: 74,
  Tunlinkat: 76,
  Tversion: 100,
  Tauth: 102,
  Tattach: 104,
  Tflush: 108,
  Twalk: 110,
  Tread: 116,
  Twrite: 118,
  Tclunk: 120,
  Tremove: 122,
} as const;

export const HEADER_SIZE = 7;
/** Tag of Tversion, which has no tag of its own. */
export const NOTAG = 0xffff;

export const QID_DIR = 0x80;
export const QID_SYMLINK = 0x02;
export const QID_FILE = 0x00;

export interface Qid {
  type: number;
  version: number;
  path: bigint;
}

export class WireError extends Error {}

/** Reads fields in order from one message body. */
export class Reader {
  private at: number;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array, offset = 0) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.at = offset;
  }

  private need(n: number): number {
    if (this.at + n > this.buf.byteLength) throw new WireError(`message truncated: need ${n} bytes at ${this.at} of ${this.buf.byteLength}`);
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(): number { return this.view.getUint8(this.need(1)); }
  u16(): number { return this.view.getUint16(this.need(2), true); }
  u32(): number { return this.view.getUint32(this.need(4), true); }
  u64(): bigint { return this.view.getBigUint64(this.need(8), true); }
  str(): string {
    const length = this.u16();
    return new TextDecoder("utf-8", { fatal: false }).decode(this.bytes(length));
  }
  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
}

/** Builds one message; `finish` writes the size field. Grows as needed. */
export class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private at = 0;

  private room(n: number): number {
    if (this.at + n > this.buf.byteLength) {
      const bigger = new Uint8Array(Math.max(this.buf.byteLength * 2, this.at + n));
      bigger.set(this.buf.subarray(0, this.at));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  // room() may replace buf/view: call it before touching them.
  u8(v: number): this { const at = this.room(1); this.view.setUint8(at, v); return this; }
  u16(v: number): this { const at = this.room(2); this.view.setUint16(at, v, true); return this; }
  u32(v: number): this { const at = this.room(4); this.view.setUint32(at, v >>> 0, true); return this; }
  u64(v: bigint | number): this { const at = this.room(8); this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), true); return this; }
  str(s: string): this {
    const bytes = new TextEncoder().encode(s);
    return this.u16(bytes.byteLength).bytes(bytes);
  }
  bytes(b: Uint8Array): this { const at = this.room(b.byteLength); this.buf.set(b, at); return this; }
  qid(q: Qid): this { return this.u8(q.type).u32(q.version).u64(q.path); }
  get length(): number { return this.at; }

  finish(): Uint8Array {
    this.view.setUint32(0, this.at, true);
    return this.buf.slice(0, this.at);
  }
}

export interface Header {
  size: number;
  type: number;
  tag: number;
}

export function readHeader(msg: Uint8Array): { header: Header; body: Reader } {
  const r = new Reader(msg);
  const header = { size: r.u32(), type: r.u8(), tag: r.u16() };
  if (header.size !== msg.byteLength) throw new WireError(`message says ${header.size} bytes, got ${msg.byteLength}`);
  return { header, body: r };
}

/** Starts a reply of `type` for `tag`; the caller appends the body and calls finish(). */
export function reply(type: number, tag: number): Writer {
  return new Writer().u32(0).u8(type).u16(tag);
}

export function errorReply(tag: number, errno: number): Uint8Array {
  return reply(P9.Rlerror, tag).u32(errno).finish();
}

/** One Treaddir entry: qid[13] offset[8] type[1] name[s]. */
export function direntSize(name: string): number {
  return 13 + 8 + 1 + 2 + new TextEncoder().encode(name).byteLength;
}
