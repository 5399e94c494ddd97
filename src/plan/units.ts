// Parsing of the policy's human units: sizes ("64M") and file modes ("0755").

const SIZE_SUFFIX: Record<string, bigint> = { "": 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

/** Bytes in a size given as a number or "<digits>[KMGT]"; throws a message naming the bad value. */
export function parseSize(value: string | number): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`size ${value} is not a whole number of bytes`);
    return BigInt(value);
  }
  const m = /^(\d+)([KMGT]?)$/i.exec(value.trim());
  if (!m) throw new Error(`size "${value}" is not like 4096, "64K", "64M" or "1G"`);
  return BigInt(m[1]!) * SIZE_SUFFIX[m[2]!.toUpperCase()]!;
}

/** A file mode given as an octal string ("0755", "1777") or a number. */
export function parseMode(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const mode = typeof value === "number" ? value : /^0?[0-7]{1,4}$/.test(value) ? parseInt(value, 8) : NaN;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`mode ${JSON.stringify(value)} is not an octal mode like "0755"`);
  return mode;
}

const RLIMIT_UNITS: Record<string, bigint> = SIZE_SUFFIX;
export const RLIM_INFINITY = (1n << 64n) - 1n;

/** An rlimit value: a number, "unlimited", or a size with a suffix. */
export function parseRlimit(value: number | string): bigint {
  if (value === "unlimited" || value === "infinity") return RLIM_INFINITY;
  if (typeof value === "number") return parseSize(value);
  const m = /^(\d+)([KMGT]?)$/i.exec(value.trim());
  if (!m) throw new Error(`limit "${value}" is not a number, a size like "64M", or "unlimited"`);
  return BigInt(m[1]!) * RLIMIT_UNITS[m[2]!.toUpperCase()]!;
}
