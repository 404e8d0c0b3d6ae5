// 9P messages out of a byte stream (a virtio-serial port's chardev): the stream carries message
// after message, each framed by its own size[4], cut into chunks wherever the transport likes. Pure:
// no I/O, so framing is unit-tested on bytes.
import { HEADER_SIZE } from "./wire.js";

/** A size field no 9P message of ours can have: the stream is out of step or not 9P at all. */
export class FrameError extends Error {
  constructor(readonly size: number, readonly maxSize: number) {
    super(size < HEADER_SIZE
      ? `9p frame of ${size} bytes is shorter than a message header (${HEADER_SIZE})`
      : `9p frame of ${size} bytes exceeds the largest message allowed (${maxSize})`);
  }
}

/** Reassembles whole messages from chunks. After a FrameError the framer stays broken: there is
 *  no way to find the next message boundary, so the connection must be closed. */
export class P9Framer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken: FrameError | null = null;

  /** maxSize: the largest whole message (size field included) accepted. */
  constructor(readonly maxSize: number) {}

  /** Bytes still waiting for the rest of their message. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds a chunk; returns the messages it completed, in order. Throws FrameError on a bad size. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.broken) throw this.broken;
    if (chunk.byteLength > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.buffered += chunk.byteLength;
    }
    const messages: Uint8Array[] = [];
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < HEADER_SIZE || size > this.maxSize) {
        this.broken = new FrameError(size, this.maxSize);
        this.chunks = [];
        this.buffered = 0;
        throw this.broken;
      }
      if (this.buffered < size) break;
      messages.push(this.take(size));
    }
    return messages;
  }

  private peekSize(): number {
    const head = this.chunks[0]!.byteLength >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks, 4);
    return head.readUInt32LE(0);
  }

  /** The first n buffered bytes, as one copy the caller owns (the chunks may be reused by I/O). */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const first = this.chunks[0]!;
      const used = Math.min(first.byteLength, n - at);
      out.set(first.subarray(0, used), at);
      at += used;
      if (used === first.byteLength) this.chunks.shift();
      else this.chunks[0] = first.subarray(used);
    }
    this.buffered -= n;
    return out;
  }
}
