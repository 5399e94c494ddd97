// Resource-limit flags: every limit of the policy's `limits` section has one (rlimits, wall clock, cgroup).

import { usageError } from "../../errors.js";
import { RLIMITS } from "../../plan/limits.js";
import { parseRlimit, parseSize } from "../../plan/units.js";
import type { CgroupLimits, RlimitName } from "../../policy/types.js";
import { addLayer, type FlagSpec } from "./types.js";

const RLIMIT_NAMES = Object.keys(RLIMITS) as RlimitName[];

/** "nofile=64", "as=2G", "core=unlimited": checked here so the error names the flag. */
function rlimitFlag(value: string): [RlimitName, number | string] {
  const eq = value.indexOf("=");
  const name = (eq > 0 ? value.slice(0, eq) : value).toLowerCase().replace(/^rlimit_/, "");
  if (eq <= 0 || !RLIMIT_NAMES.includes(name as RlimitName)) {
    throw usageError(`--rlimit ${JSON.stringify(value)}: expected NAME=VALUE with NAME one of ${RLIMIT_NAMES.join(", ")}`);
  }
  const raw = value.slice(eq + 1);
  try {
    parseRlimit(raw);
  } catch (e) {
    throw usageError(`--rlimit ${name}: ${(e as Error).message}`);
  }
  return [name as RlimitName, /^\d+$/.test(raw) ? Number(raw) : raw];
}

/** A whole number within [min, max], or a usage error naming the flag. */
function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw usageError(`${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  return n;
}

function sizeFlag(flag: string, value: string): string {
  try {
    parseSize(value);
  } catch (e) {
    throw usageError(`${flag}: ${(e as Error).message}`);
  }
  return value;
}

const cgroupLayer = (flag: string, cgroup: CgroupLimits) => (r: Parameters<FlagSpec["apply"]>[0]) =>
  addLayer(r, flag, { limits: { cgroup } });

export const LIMIT_FLAGS: FlagSpec[] = [
  {
    names: ["--rlimit"], arity: 1, values: "NAME=VALUE",
    help: `set a resource limit (soft and hard) before exec; NAME: ${RLIMIT_NAMES.join(" ")}; VALUE: a number, a size like 64M, or unlimited`,
    apply: (r, [v]) => {
      const [name, value] = rlimitFlag(v!);
      addLayer(r, "--rlimit", { limits: { rlimits: { [name]: value } } });
    },
  },
  {
    names: ["--time-limit"], arity: 1, values: "SECONDS",
    help: "wall-clock limit: SIGTERM to the whole sandbox, SIGKILL 2 s later, and exit 124",
    apply: (r, [v]) => addLayer(r, "--time-limit", { limits: { time: wholeNumber("--time-limit", v!, 1, 1_000_000_000) } }),
  },
  {
    names: ["--memory"], arity: 1, values: "SIZE",
    help: "cgroup memory.max (falls back to the as rlimit without a delegated cgroup)",
    apply: (r, [v]) => cgroupLayer("--memory", { memory: sizeFlag("--memory", v!) })(r),
  },
  {
    names: ["--memory-swap"], arity: 1, values: "SIZE",
    help: "cgroup memory.swap.max",
    apply: (r, [v]) => cgroupLayer("--memory-swap", { memorySwap: sizeFlag("--memory-swap", v!) })(r),
  },
  {
    names: ["--pids"], arity: 1, values: "N",
    help: "cgroup pids.max (falls back to the nproc rlimit without a delegated cgroup)",
    apply: (r, [v]) => cgroupLayer("--pids", { pids: wholeNumber("--pids", v!, 1, 4_194_304) })(r),
  },
  {
    names: ["--cpus"], arity: 1, values: "N",
    help: "cgroup cpu.max as a number of CPUs, e.g. 0.5",
    apply: (r, [v]) => {
      const n = /^\d+(\.\d+)?$/.test(v!) ? Number(v) : NaN;
      if (!(n >= 0.01 && n <= 1024)) throw usageError(`--cpus ${JSON.stringify(v)}: expected a number of CPUs from 0.01 to 1024`);
      cgroupLayer("--cpus", { cpu: n })(r);
    },
  },
  {
    names: ["--cgroup-required"], arity: 0,
    help: "fail instead of falling back to rlimits when no delegated cgroup v2 subtree is available",
    apply: (r) => cgroupLayer("--cgroup-required", { required: true })(r),
  },
];
