// The policy's value notations for sizes and modes, as numbers.

/** "64M" -> 67108864 (K, M, G, T are powers of 1024); numbers are bytes. Assumes a validated value. */
export function parseSize(value: string | number): number {
  if (typeof value === "number") return value;
  const m = /^([0-9]+)([KMGTkmgt]?)$/.exec(value);
  if (!m) throw new RangeError(`not a size: ${JSON.stringify(value)}`);
  const power = " KMGT".indexOf((m[2] || " ").toUpperCase());
  return Number(m[1]) * 1024 ** power;
}

/** "0755" -> 493 (strings are octal); numbers are taken as they are (decimal). */
export function parseMode(value: string | number): number {
  if (typeof value === "number") return value;
  if (!/^0?[0-7]{3,4}$/.test(value)) throw new RangeError(`not a mode: ${JSON.stringify(value)}`);
  return parseInt(value, 8);
}
