/**
 * The frames a local engine received, kept for tests to inspect: the last `maxFrames`, holding
 * at most `maxBytes` of raw text, so a long run or a few huge frames cannot fill the heap.
 */

export interface ReceivedFrame {
  connectionId: number;
  /**
   * The parsed frame, or undefined when it was not a JSON object. For a frame larger than the
   * whole byte cap, only its `type` and `id` (when they are strings).
   */
  message: Record<string, unknown> | undefined;
  /** The frame as received (`<binary>` for a binary frame); cut short when `truncated`. */
  raw: string;
  /** UTF-8 size of the frame as received. */
  bytes: number;
  /** True when the frame alone exceeded the byte cap and only its start is kept. */
  truncated: boolean;
}

export interface FrameRecordOptions {
  /** How many received frames are kept (the oldest go first). @default 10000 */
  maxReceivedFrames?: number;
  /**
   * How many bytes of received frames are kept (UTF-8 size of their text; the oldest go
   * first). A frame larger than this is kept as its first 1 KB, its `type` and `id`.
   * @default 16777216 (16 MiB)
   */
  maxReceivedBytes?: number;
}

export const DEFAULT_MAX_RECEIVED_FRAMES = 10_000;
export const DEFAULT_MAX_RECEIVED_BYTES = 16 * 1024 * 1024;
const KEPT_PREFIX = 1024;

export class FrameRecord {
  /** Oldest first. Tests may clear it (`frames.length = 0`); the record notices. */
  readonly frames: ReceivedFrame[] = [];
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  #bytes = 0;
  /** `frames.length` as this record last left it: a mismatch means a test edited the array. */
  #length = 0;

  constructor(options: FrameRecordOptions = {}) {
    this.#maxFrames = Math.max(0, options.maxReceivedFrames ?? DEFAULT_MAX_RECEIVED_FRAMES);
    this.#maxBytes = Math.max(0, options.maxReceivedBytes ?? DEFAULT_MAX_RECEIVED_BYTES);
  }

  add(connectionId: number, raw: string, message: Record<string, unknown> | undefined): void {
    if (this.frames.length !== this.#length) this.#bytes = this.frames.reduce((sum, frame) => sum + retained(frame), 0);
    const bytes = Buffer.byteLength(raw, 'utf8');
    const frame: ReceivedFrame =
      bytes <= this.#maxBytes
        ? { connectionId, message, raw, bytes, truncated: false }
        : { connectionId, message: head(message), raw: `${raw.slice(0, KEPT_PREFIX)}… (${bytes} bytes, not kept)`, bytes, truncated: true };
    this.frames.push(frame);
    this.#bytes += retained(frame);
    while (this.frames.length > this.#maxFrames || (this.#bytes > this.#maxBytes && this.frames.length > 1)) {
      this.#bytes -= retained(this.frames.shift() as ReceivedFrame);
    }
    this.#length = this.frames.length;
  }
}

/** The bytes of text a kept frame holds. */
function retained(frame: ReceivedFrame): number {
  return frame.truncated ? Buffer.byteLength(frame.raw, 'utf8') : frame.bytes;
}

/** Of a frame too large to keep: its `type` and `id`, when they are short strings. */
function head(message: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (message === undefined) return undefined;
  const kept: Record<string, unknown> = {};
  for (const key of ['type', 'id']) {
    const value = message[key];
    if (typeof value === 'string' && value.length <= 128) kept[key] = value;
  }
  return kept;
}
