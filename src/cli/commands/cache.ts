// nsjail-ts cache: look after the per-user plan cache.

import { cacheDir, clearCache } from "../../cache/index.js";
import { usageError } from "../../errors.js";

export const summary = "cache clear | cache dir: remove every cached plan, or print where they are kept";

export async function main(argv: string[]): Promise<number> {
  const dir = cacheDir();
  const [action, ...rest] = argv;
  if (rest.length > 0 || (action !== "clear" && action !== "dir")) throw usageError("usage: nsjail-ts cache clear | nsjail-ts cache dir");
  if (dir === undefined) throw usageError("no cache directory: neither XDG_CACHE_HOME nor HOME is an absolute path");
  if (action === "dir") {
    process.stdout.write(`${dir}\n`);
    return 0;
  }
  const n = clearCache(dir);
  process.stdout.write(`removed ${n} cached plan${n === 1 ? "" : "s"} from ${dir}\n`);
  return 0;
}
