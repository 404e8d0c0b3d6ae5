// 9P framing over a byte stream (src/vm/p9/framer.ts): messages split across chunks, many in one
// chunk, the largest allowed frame, and sizes that can only mean garbage.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameError, P9Framer } from "../../src/vm/p9/framer.js";
import { MAX_MSIZE } from "../../src/vm/p9/host-share.js";
import { P9, readHeader, Writer } from "../../src/vm/p9/wire.js";

/** A Tread-shaped message of exactly `size` bytes with `tag`. */
function message(size: number, tag: number): Uint8Array {
  const w = new Writer().u32(0).u8(P9.Tread).u16(tag);
  w.bytes(new Uint8Array(size - 7).fill(tag & 0xff));
  return w.finish();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

const tags = (messages: Uint8Array[]) => messages.map((m) => readHeader(m).header.tag);

test("a message cut into single bytes comes out whole, once, after its last byte", () => {
  const framer = new P9Framer(MAX_MSIZE);
  const msg = message(40, 7);
  const out: Uint8Array[] = [];
  for (let i = 0; i < msg.byteLength; i++) {
    const got = framer.push(msg.subarray(i, i + 1));
    if (i < msg.byteLength - 1) assert.deepEqual(got, [], `nothing before byte ${i + 1}`);
    out.push(...got);
  }
  assert.deepEqual(out, [msg]);
  assert.equal(framer.pending, 0);
});

test("several messages in one chunk come out in order, and a trailing part waits for its rest", () => {
  const framer = new P9Framer(MAX_MSIZE);
  const [a, b, c] = [message(7, 1), message(100, 2), message(30, 3)];
  const stream = concat(a, b, c);
  const first = framer.push(stream.subarray(0, 7 + 100 + 10));
  assert.deepEqual(tags(first), [1, 2]);
  assert.equal(framer.pending, 10);
  assert.deepEqual(tags(framer.push(stream.subarray(117))), [3]);
});

test("a size field split across chunks is read correctly", () => {
  const framer = new P9Framer(MAX_MSIZE);
  const msg = message(70_000, 9);
  assert.deepEqual(framer.push(msg.subarray(0, 2)), []);
  assert.deepEqual(framer.push(msg.subarray(2, 3)), []);
  assert.deepEqual(framer.push(msg.subarray(3, 50_000)), []);
  const [whole] = framer.push(msg.subarray(50_000));
  assert.deepEqual(whole, msg);
});

test("the largest allowed frame passes and one byte more closes the stream", () => {
  assert.equal(new P9Framer(MAX_MSIZE).push(message(MAX_MSIZE, 4)).length, 1);
  const framer = new P9Framer(MAX_MSIZE);
  const tooBig = new Uint8Array(4);
  new DataView(tooBig.buffer).setUint32(0, MAX_MSIZE + 1, true);
  assert.throws(() => framer.push(tooBig), (err: unknown) => err instanceof FrameError && /exceeds the largest message allowed/.test(err.message));
});

test("a size below the 7-byte header is garbage: the framer throws and stays broken", () => {
  const framer = new P9Framer(MAX_MSIZE);
  const good = message(20, 1);
  const garbage = Uint8Array.of(6, 0, 0, 0, 1, 2, 3);
  assert.throws(() => framer.push(concat(good, garbage)), (err: unknown) => err instanceof FrameError && err.size === 6);
  // No way to resynchronise: every later push fails too, even with a well-formed message.
  assert.throws(() => framer.push(message(20, 2)), FrameError);
});

test("garbage such as text is refused as soon as its first four bytes arrive", () => {
  const framer = new P9Framer(MAX_MSIZE);
  const text = Buffer.from("GET / HTTP/1.1\r\n");
  assert.throws(() => framer.push(text.subarray(0, 4)), (err: unknown) => err instanceof FrameError && err.size === text.readUInt32LE(0));
});

test("returned messages are copies: reusing the input chunk does not change them", () => {
  const framer = new P9Framer(MAX_MSIZE);
  const chunk = concat(message(12, 5));
  const [msg] = framer.push(chunk);
  chunk.fill(0);
  assert.equal(readHeader(msg!).header.tag, 5);
});
