// Encoding and decoding of the binary plan (format described in helper-c/plan.h).

import { OpType, PLAN_HEADER_LEN, PLAN_MAGIC, PLAN_MAX_ARG, PLAN_MAX_STR, PLAN_OP_HEADER_LEN, PLAN_VERSION, type Item, type Op } from "./ops.js";

const pad4 = (n: number): number => (n + 3) & ~3;

/** Command lines and environments may hold strings as long as the kernel allows; paths and names may not. */
const LONG_STRINGS = new Set([OpType.Env, OpType.Exec, OpType.Manifest]);

function itemBytes(item: Item, maxStr: number): Buffer {
  if (typeof item === "bigint") {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, item));
    return b;
  }
  if (typeof item === "string") {
    const b = Buffer.from(item, "utf8");
    if (b.includes(0)) throw new PlanFormatError(`string item contains a NUL byte: ${JSON.stringify(item)}`);
    if (b.length > maxStr) throw new PlanFormatError(`string item longer than ${maxStr} bytes`);
    return b;
  }
  return item;
}

/** Raised for a plan that cannot be encoded or decoded; the message says what and at which offset. */
export class PlanFormatError extends Error {
  override name = "PlanFormatError";
}

/** Serialise ops into the helper's plan format. */
export function encodePlan(ops: readonly Op[]): Buffer {
  const chunks: Buffer[] = [];
  let total = PLAN_HEADER_LEN;
  for (const o of ops) {
    const maxStr = LONG_STRINGS.has(o.type) ? PLAN_MAX_ARG : PLAN_MAX_STR;
    const parts = [itemBytes(o.origin, PLAN_MAX_STR), ...o.items.map((item) => itemBytes(item, maxStr))];
    const payloadLen = parts.reduce((n, p) => n + 4 + pad4(p.length), 0);
    const buf = Buffer.alloc(PLAN_OP_HEADER_LEN + payloadLen);
    buf.writeUInt16LE(o.type, 0);
    buf.writeUInt16LE(o.flags, 2);
    buf.writeUInt32LE(payloadLen, 4);
    let off = PLAN_OP_HEADER_LEN;
    for (const p of parts) {
      buf.writeUInt32LE(p.length, off);
      p.copy(buf, off + 4);
      off += 4 + pad4(p.length);
    }
    chunks.push(buf);
    total += buf.length;
  }
  const header = Buffer.alloc(PLAN_HEADER_LEN);
  header.write(PLAN_MAGIC, 0, "latin1");
  header.writeUInt32LE(PLAN_VERSION, 8);
  header.writeUInt32LE(total, 12);
  header.writeUInt32LE(ops.length, 16);
  return Buffer.concat([header, ...chunks], total);
}

/** A decoded op: items stay raw bytes, since only the op type says which are numbers. */
export interface DecodedOp {
  type: OpType;
  flags: number;
  origin: string;
  items: Buffer[];
}

/** Parse a plan, checking every length as the helper does. */
export function decodePlan(plan: Buffer): DecodedOp[] {
  if (plan.length < PLAN_HEADER_LEN) throw new PlanFormatError(`plan is ${plan.length} bytes, shorter than its header`);
  if (plan.toString("latin1", 0, 8) !== PLAN_MAGIC) throw new PlanFormatError("not a plan: bad magic");
  const version = plan.readUInt32LE(8);
  if (version !== PLAN_VERSION) throw new PlanFormatError(`plan version ${version}, expected ${PLAN_VERSION}`);
  const total = plan.readUInt32LE(12);
  if (total !== plan.length) throw new PlanFormatError(`plan says ${total} bytes but has ${plan.length}`);
  const count = plan.readUInt32LE(16);
  const ops: DecodedOp[] = [];
  let off = PLAN_HEADER_LEN;
  for (let i = 0; i < count; i++) {
    if (off + PLAN_OP_HEADER_LEN > total) throw new PlanFormatError(`op ${i} at offset ${off}: header runs past the end`);
    const type = plan.readUInt16LE(off) as OpType;
    const flags = plan.readUInt16LE(off + 2);
    const payloadLen = plan.readUInt32LE(off + 4);
    const end = off + PLAN_OP_HEADER_LEN + payloadLen;
    if (end > total) throw new PlanFormatError(`op ${i} at offset ${off}: payload runs past the end`);
    const items: Buffer[] = [];
    let p = off + PLAN_OP_HEADER_LEN;
    while (p < end) {
      if (p + 4 > end) throw new PlanFormatError(`op ${i}: item length at offset ${p} runs past the op`);
      const len = plan.readUInt32LE(p);
      if (p + 4 + len > end) throw new PlanFormatError(`op ${i}: item at offset ${p} runs past the op`);
      items.push(plan.subarray(p + 4, p + 4 + len));
      p += 4 + pad4(len);
    }
    if (p !== end) throw new PlanFormatError(`op ${i}: payload padding runs past the op`);
    const [origin, ...rest] = items;
    if (origin === undefined) throw new PlanFormatError(`op ${i}: no origin item`);
    ops.push({ type, flags, origin: origin.toString("utf8"), items: rest });
    off = end;
  }
  if (off !== total) throw new PlanFormatError(`${total - off} trailing bytes after op ${count - 1}`);
  return ops;
}
