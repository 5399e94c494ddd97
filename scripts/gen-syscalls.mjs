#!/usr/bin/env node
// Generates src/seccomp/data/{syscalls,widths,errnos}.ts from Linux headers and kernel sources.
//
// Usage: node scripts/gen-syscalls.mjs --kernel-src DIR [--x86-include DIR] [--arm64-include DIR]
//   --kernel-src     an unpacked kernel tree (Debian: apt-get install linux-source, then unpack
//                    the tarball it leaves under /usr/src); gives the syscall tables' entry points
//                    and the SYSCALL_DEFINE / COMPAT_SYSCALL_DEFINE declarations (argument types).
//   --x86-include    Debian linux-libc-dev's include dir (default /usr/include/x86_64-linux-gnu)
//   --arm64-include  Debian linux-libc-dev-arm64-cross's dir (default /usr/aarch64-linux-gnu/include)
// Numbers come from the userspace headers (what libc and libseccomp see); widths come from the
// kernel's own declarations of the entry point each ABI really calls.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const x86Inc = opt("--x86-include", "/usr/include/x86_64-linux-gnu");
const armInc = opt("--arm64-include", "/usr/aarch64-linux-gnu/include");
const ksrc = opt("--kernel-src", undefined);
if (!ksrc) {
  console.error("gen-syscalls: --kernel-src DIR is required (an unpacked Debian linux-source tree)");
  process.exit(2);
}

// ---- numbers -------------------------------------------------------------------------------
function numbersFromDefines(text, bit = 0) {
  const out = {};
  for (const m of text.matchAll(/^#define __NR_(\w+)\s+(?:\(__X32_SYSCALL_BIT \+ )?(\d+)\)?\s*$/gm)) {
    out[m[1]] = (bit + Number(m[2])) >>> 0;
  }
  return out;
}
const x86_64 = numbersFromDefines(readFileSync(join(x86Inc, "asm/unistd_64.h"), "utf8"));
const i386 = numbersFromDefines(readFileSync(join(x86Inc, "asm/unistd_32.h"), "utf8"));
const x32 = numbersFromDefines(readFileSync(join(x86Inc, "asm/unistd_x32.h"), "utf8"), 0x40000000);
// arm64 defines most numbers through other macros; let the preprocessor expand them.
const armMacros = execFileSync("cpp", ["-nostdinc", "-I", armInc, "-dM", "-"], { input: "#include <asm/unistd.h>\n" }).toString();
const macro = {};
for (const m of armMacros.matchAll(/^#define (\w+) (.+)$/gm)) macro[m[1]] = m[2].trim();
const evalMacro = (v, depth = 0) => (/^\d+$/.test(v) ? Number(v) : depth < 8 && macro[v] !== undefined ? evalMacro(macro[v], depth + 1) : NaN);
const aarch64 = {};
for (const [k, v] of Object.entries(macro)) {
  if (!k.startsWith("__NR_") || k === "__NR_syscalls" || k === "__NR_arch_specific_syscall") continue;
  const n = evalMacro(v);
  if (Number.isInteger(n)) aarch64[k.slice(5)] = n;
}
const numbers = { x86_64, x32, i386, aarch64 };

// ---- entry points ----------------------------------------------------------------------------
function tbl(file) {
  const rows = [];
  for (const line of readFileSync(join(ksrc, file), "utf8").split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [nr, abi, name, entry, compat] = line.trim().split(/\s+/);
    rows.push({ nr: Number(nr), abi, name, entry, compat });
  }
  return rows;
}
const entry = { x86_64: {}, x32: {}, i386: {}, aarch64: {} };
for (const r of tbl("arch/x86/entry/syscalls/syscall_64.tbl")) {
  if (r.abi === "common" || r.abi === "64") entry.x86_64[r.name] = r.entry;
  if (r.abi === "common" || r.abi === "x32") entry.x32[r.name] = r.entry;
}
// A 64-bit kernel runs i386 programs through the compat entry point when there is one.
for (const r of tbl("arch/x86/entry/syscalls/syscall_32.tbl")) entry.i386[r.name] = r.compat ?? r.entry;
{
  const text = readFileSync(join(ksrc, "include/uapi/asm-generic/unistd.h"), "utf8");
  const nrOf = {};
  for (const m of text.matchAll(/^#define (__NR(?:3264)?_\w+)\s+(\d+)/gm)) nrOf[m[1]] = Number(m[2]);
  const symByNr = {};
  for (const m of text.matchAll(/^__(SYSCALL|SC_COMP|SC_3264|SC_COMP_3264)\((\w+),\s*([^)]*)\)/gm)) {
    const args = m[3].replace(/\\\n/g, " ").split(",").map((s) => s.trim()).filter(Boolean);
    const sym = m[1] === "SYSCALL" || m[1] === "SC_COMP" ? args[0] : args[1]; // the 64-bit native one
    if (nrOf[m[2]] !== undefined) symByNr[nrOf[m[2]]] = sym;
  }
  for (const [name, nr] of Object.entries(aarch64)) entry.aarch64[name] = symByNr[nr] ?? `sys_${name}`;
}

// ---- declarations ----------------------------------------------------------------------------
const decls = {}; // symbol -> [{ dir, types: string[] }]
function scan(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const rel = p.slice(ksrc.length + 1);
    if (/^(arch\/(?!x86|arm64)|arch\/x86\/um|tools|Documentation|samples|drivers\/staging)/.test(rel)) continue;
    const st = statSync(p);
    if (st.isDirectory()) scan(p);
    else if (e.endsWith(".c")) {
      const text = readFileSync(p, "utf8");
      for (const m of text.matchAll(/\b(COMPAT_|SYSCALL32_)?(?:SYSCALL_)?DEFINE(\d)\(/g)) {
        let depth = 1, i = m.index + m[0].length;
        const start = i;
        while (depth > 0 && i < text.length) { if (text[i] === "(") depth++; else if (text[i] === ")") depth--; i++; }
        const parts = text.slice(start, i - 1).replace(/\s+/g, " ").split(",").map((s) => s.trim());
        const sym = (m[1] ? "compat_sys_" : "sys_") + parts[0];
        const types = [];
        // SYSCALL32_DEFINE splits a 64-bit value into two 32-bit register halves: SC_ARG64(name).
        for (let k = 1; k < parts.length; k += 2) {
          if (parts[k].startsWith("SC_ARG64(")) { types.push("u32", "u32"); k--; } else if (k + 1 < parts.length) types.push(parts[k]);
        }
        (decls[sym] ??= []).push({ dir: rel, types });
      }
    }
  }
}
scan(ksrc);

const unknownTypes = new Set();
function typeWidth(t, longBits) {
  const s = t.replace(/\b(const|volatile|__user|struct|union|enum)\b/g, " ").replace(/\s+/g, " ").trim();
  if (s.includes("*") || /^(cap_user_header_t|cap_user_data_t|__sighandler_t)$/.test(s)) return longBits;
  if (/^(umode_t|old_uid_t|old_gid_t|unsigned short|u16|__u16|short)$/.test(s)) return 16;
  if (/^(int|unsigned int|unsigned|u32|__u32|s32|__s32|pid_t|uid_t|gid_t|qid_t|key_serial_t|landlock_rule_type|clockid_t|timer_t|mqd_t|rwf_t|__kernel_rwf_t|key_t|int32_t|uint32_t|dev_t)$/.test(s)) return 32;
  if (/^compat_(u|s)64$|^compat_loff_t$|^compat_arg_u64$/.test(s)) return 64;
  if (/^compat_\w+$/.test(s)) return 32;
  if (/^(u64|__u64|s64|__s64|loff_t|long long|unsigned long long|__kernel_loff_t)$/.test(s)) return 64;
  if (/^(long|unsigned long|size_t|ssize_t|off_t|aio_context_t|old_sigset_t|__kernel_old_time_t|time_t|__kernel_size_t|__kernel_ssize_t)$/.test(s)) return longBits;
  unknownTypes.add(s);
  return longBits;
}
const prefer = { x86_64: "arch/x86", x32: "arch/x86", i386: "arch/x86", aarch64: "arch/arm64" };
const overrides = {
  // clone's flags are declared unsigned long, but kernel_clone() keeps only lower_32_bits().
  clone: { 0: 32 },
};
const widths = { x86_64: {}, x32: {}, i386: {}, aarch64: {} };
const missing = [];
for (const abi of Object.keys(numbers)) {
  const longBits = abi === "i386" ? 32 : 64;
  for (const name of Object.keys(numbers[abi]).sort()) {
    const sym = entry[abi][name];
    const ds = sym ? decls[sym] : undefined;
    if (!ds) { missing.push(`${abi}:${name}(${sym ?? "no entry"})`); continue; }
    const d = ds.find((x) => x.dir.startsWith(prefer[abi])) ?? ds.find((x) => !x.dir.startsWith("arch/")) ?? ds[0];
    let w = d.types.map((t) => typeWidth(t, longBits));
    // i386 arguments arrive in 32-bit registers: the kernel never sees more than 32 bits.
    if (abi === "i386") w = w.map((x) => Math.min(32, x));
    for (const [i, v] of Object.entries(overrides[name] ?? {})) if (w[i] !== undefined) w[i] = Math.min(w[i], v);
    widths[abi][name] = w;
  }
}

// ---- errno names -----------------------------------------------------------------------------
const errnos = {};
for (const f of ["asm-generic/errno-base.h", "asm-generic/errno.h"]) {
  const text = readFileSync(join(x86Inc, "..", f), "utf8");
  for (const m of text.matchAll(/^#define\s+(E\w+)\s+(\w+)/gm)) {
    errnos[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : errnos[m[2]];
  }
}

// ---- output ----------------------------------------------------------------------------------
const outDir = join(root, "src/seccomp/data");
mkdirSync(outDir, { recursive: true });
const header = (what) =>
  `// GENERATED by scripts/gen-syscalls.mjs from Linux ${what}; do not edit by hand.\n`;
const objLines = (o, fmt) => Object.keys(o).sort().map((k) => `    ${JSON.stringify(k)}: ${fmt(o[k])},`).join("\n");
const abiBlock = (all, fmt) => Object.keys(all).map((abi) => `  ${abi}: {\n${objLines(all[abi], fmt)}\n  },`).join("\n");
writeFileSync(join(outDir, "syscalls.ts"),
  header("uapi headers (asm/unistd_64.h, unistd_x32.h, unistd_32.h; arm64 asm/unistd.h)") +
  `\n/** Syscall numbers per ABI, as seccomp_data.nr shows them (x32 numbers include 0x40000000). */\n` +
  `export const SYSCALL_NUMBERS: Record<"x86_64" | "x32" | "i386" | "aarch64", Record<string, number>> = {\n` +
  abiBlock(numbers, (n) => (n >= 0x40000000 ? `0x${n.toString(16)}` : String(n))) + `\n};\n`);
writeFileSync(join(outDir, "widths.ts"),
  header("kernel sources (SYSCALL_DEFINE/COMPAT_SYSCALL_DEFINE of each ABI's entry point)") +
  `\n/** Bits of each argument the kernel uses, per ABI and syscall (64, 32 or 16). */\n` +
  `export const ARG_WIDTHS: Record<"x86_64" | "x32" | "i386" | "aarch64", Record<string, readonly number[]>> = {\n` +
  abiBlock(widths, (w) => `[${w.join(", ")}]`) + `\n};\n`);
writeFileSync(join(outDir, "errnos.ts"),
  header("uapi headers (asm-generic/errno-base.h, errno.h)") +
  `\n/** errno names to numbers (the same on x86 and arm64). */\nexport const ERRNOS: Record<string, number> = {\n` +
  Object.keys(errnos).filter((k) => errnos[k] !== undefined).map((k) => `  ${k}: ${errnos[k]},`).join("\n") + `\n};\n`);
console.error(`gen-syscalls: ${Object.entries(numbers).map(([a, t]) => `${a} ${Object.keys(t).length}`).join(", ")}`);
if (missing.length) console.error(`gen-syscalls: no declaration found (width unknown): ${missing.join(" ")}`);
if (unknownTypes.size) console.error(`gen-syscalls: types taken as long-sized: ${[...unknownTypes].join("; ")}`);
