// Encoding and decoding of the binary plan (format described in helper-c/plan.h).

import { OpType, PLAN_HEADER_LEN, PLAN_MAGIC, PLAN_MAX_ARG, PLAN_MAX_STR, PLAN_OP_HEADER_LEN, PLAN_VERSION, type Item, type Op } from "./ops.js";

const pad4 = (n: number): number => (n + 3) & ~3;

/** Command lines and environments may hold strings as long as the kernel allows; paths and names may not. */
const LONG_STRINGS = new Set([OpType.Env, OpType.Exec, OpType.Manifest]);

/** UTF-8 length of a string as Buffer.from(s, "utf8") encodes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes s as UTF-8 at off (utf8Length(s) bytes); false when it holds a NUL, which no plan string may. */
function writeUtf8(out: Uint8Array, off: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c < 0x80) {
      out[off++] = c;
    } else if (c < 0x800) {
      out[off++] = 0xc0 | (c >> 6);
      out[off++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[off++] = 0xf0 | (c >> 18);
      out[off++] = 0x80 | ((c >> 12) & 0x3f);
      out[off++] = 0x80 | ((c >> 6) & 0x3f);
      out[off++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate, as Buffer.from writes it
      out[off++] = 0xe0 | (c >> 12);
      out[off++] = 0x80 | ((c >> 6) & 0x3f);
      out[off++] = 0x80 | (c & 0x3f);
    }
  }
  return true;
}

const itemLength = (item: Item): number => (typeof item === "bigint" ? 8 : typeof item === "string" ? utf8Length(item) : item.length);

/** Raised for a plan that cannot be encoded or decoded; the message says what and at which offset. */
export class PlanFormatError extends Error {
  override name = "PlanFormatError";
}

/**
 * Serialise ops into the helper's plan format. One buffer, written with typed-array stores: a cold run
 * encodes a plan once or twice, and Buffer's own writers would each be compiled for that one use.
 */
export function encodePlan(ops: readonly Op[]): Buffer {
  let total = PLAN_HEADER_LEN;
  const lengths: number[] = [];
  for (const o of ops) {
    total += PLAN_OP_HEADER_LEN;
    // The origin is a short string whatever the op; the items may be long for a few ops.
    [o.origin, ...o.items].forEach((item, k) => {
      const len = itemLength(item);
      const max = k > 0 && LONG_STRINGS.has(o.type) ? PLAN_MAX_ARG : PLAN_MAX_STR;
      if (typeof item === "string" && len > max) throw new PlanFormatError(`string item longer than ${max} bytes`);
      lengths.push(len);
      total += 4 + pad4(len);
    });
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < PLAN_MAGIC.length; i++) out[i] = PLAN_MAGIC.charCodeAt(i);
  view.setUint32(8, PLAN_VERSION, true);
  view.setUint32(12, total, true);
  view.setUint32(16, ops.length, true);
  let off = PLAN_HEADER_LEN;
  let n = 0;
  for (const o of ops) {
    const start = off;
    view.setUint16(off, o.type, true);
    view.setUint16(off + 2, o.flags, true);
    off += PLAN_OP_HEADER_LEN;
    for (const item of [o.origin, ...o.items]) {
      const len = lengths[n++]!;
      view.setUint32(off, len, true);
      if (typeof item === "bigint") view.setBigUint64(off + 4, BigInt.asUintN(64, item), true);
      else if (typeof item === "string") {
        if (!writeUtf8(out, off + 4, item)) throw new PlanFormatError(`string item contains a NUL byte: ${JSON.stringify(item)}`);
      } else out.set(item, off + 4);
      off += 4 + pad4(len);
    }
    view.setUint32(start + 4, off - start - PLAN_OP_HEADER_LEN, true);
  }
  return Buffer.from(out.buffer, 0, total);
}

/** A decoded op: items stay raw bytes, since only the op type says which are numbers. */
export interface DecodedOp {
  type: OpType;
  flags: number;
  origin: string;
  items: Buffer[];
}

/** An op as read from a plan, its origin still bytes. */
interface RawOp {
  type: OpType;
  flags: number;
  origin: Buffer;
  items: Buffer[];
}

/** Split a plan into ops, checking every length as the helper does. */
function decodeRaw(plan: Buffer): RawOp[] {
  if (plan.length < PLAN_HEADER_LEN) throw new PlanFormatError(`plan is ${plan.length} bytes, shorter than its header`);
  if (plan.toString("latin1", 0, 8) !== PLAN_MAGIC) throw new PlanFormatError("not a plan: bad magic");
  const view = new DataView(plan.buffer, plan.byteOffset, plan.byteLength);
  const version = view.getUint32(8, true);
  if (version !== PLAN_VERSION) throw new PlanFormatError(`plan version ${version}, expected ${PLAN_VERSION}`);
  const total = view.getUint32(12, true);
  if (total !== plan.length) throw new PlanFormatError(`plan says ${total} bytes but has ${plan.length}`);
  const count = view.getUint32(16, true);
  const ops: RawOp[] = [];
  let off = PLAN_HEADER_LEN;
  for (let i = 0; i < count; i++) {
    if (off + PLAN_OP_HEADER_LEN > total) throw new PlanFormatError(`op ${i} at offset ${off}: header runs past the end`);
    const type = view.getUint16(off, true) as OpType;
    const flags = view.getUint16(off + 2, true);
    const payloadLen = view.getUint32(off + 4, true);
    const end = off + PLAN_OP_HEADER_LEN + payloadLen;
    if (end > total) throw new PlanFormatError(`op ${i} at offset ${off}: payload runs past the end`);
    const items: Buffer[] = [];
    let p = off + PLAN_OP_HEADER_LEN;
    while (p < end) {
      if (p + 4 > end) throw new PlanFormatError(`op ${i}: item length at offset ${p} runs past the op`);
      const len = view.getUint32(p, true);
      if (p + 4 + len > end) throw new PlanFormatError(`op ${i}: item at offset ${p} runs past the op`);
      items.push(plan.subarray(p + 4, p + 4 + len));
      p += 4 + pad4(len);
    }
    if (p !== end) throw new PlanFormatError(`op ${i}: payload padding runs past the op`);
    const [origin, ...rest] = items;
    if (origin === undefined) throw new PlanFormatError(`op ${i}: no origin item`);
    ops.push({ type, flags, origin, items: rest });
    off = end;
  }
  if (off !== total) throw new PlanFormatError(`${total - off} trailing bytes after op ${count - 1}`);
  return ops;
}

/** Parse a plan, checking every length as the helper does. */
export function decodePlan(plan: Buffer): DecodedOp[] {
  return decodeRaw(plan).map((o) => ({ ...o, origin: o.origin.toString("utf8") }));
}

/** Each op's type, flags and items (raw bytes), without decoding origins: for callers that only look at a few ops. */
export function planItems(plan: Buffer): Omit<DecodedOp, "origin">[] {
  return decodeRaw(plan).map(({ type, flags, items }) => ({ type, flags, items }));
}
