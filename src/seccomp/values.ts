// Argument values of rules: numbers, numeric strings (hex, negative) and constant names, as 64-bit.
import { lookupConstant } from "./constants.js";
import { closest } from "./suggest.js";
import { CONSTANT_NAMES } from "./constants.js";
import type { SeccompArch } from "./abi.js";

const MIN = -(1n << 63n), MAX = (1n << 64n) - 1n;

function parseTerm(s: string, arch: SeccompArch): bigint | string {
  const t = s.trim();
  const m = /^(-?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/i.exec(t);
  if (m) return m[1] ? -BigInt(m[2]!) : BigInt(m[2]!);
  const c = lookupConstant(t, arch);
  if (c !== undefined) return BigInt(c);
  const hint = closest(t, CONSTANT_NAMES);
  return `unknown constant ${JSON.stringify(t)}${hint ? ` (did you mean ${hint}?)` : ""}`;
}

/**
 * Parses a rule value to its 64-bit two's-complement bits: 5, "0x5412", "-1", "TIOCSTI",
 * "CLONE_NEWUSER|CLONE_NEWNS". Returns an error message for anything else.
 */
export function parseValue(v: number | string, arch: SeccompArch): bigint | string {
  let n: bigint;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) return `value ${v} is not an exact integer (write large values as a string, e.g. "0xffffffffffffffff")`;
    n = BigInt(v);
  } else {
    n = 0n;
    for (const part of v.split("|")) {
      const t = parseTerm(part, arch);
      if (typeof t === "string") return t;
      if (t < MIN || t > MAX) return `value ${v} does not fit in 64 bits`;
      n |= BigInt.asUintN(64, t);
    }
  }
  if (n < MIN || n > MAX) return `value ${v} does not fit in 64 bits`;
  return BigInt.asUintN(64, n);
}
