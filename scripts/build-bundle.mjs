#!/usr/bin/env node
// Build step: the compiled modules of dist/ as two scripts with V8 code caches, so that a cold run does not
// pay Node's module loader for a hundred files (resolve, read, link each) nor parse them.
//
// - Each module is turned into CommonJS by TypeScript's own transform and wrapped in a function that
//   receives its file URL as import.meta.url. Its imports of other modules are made lazy: a module is
//   evaluated when one of its exports is first used, so a run evaluates only what it uses.
// - The few small packages the compiler requires (arg, ajv's runtime helpers) are carried inside, so no
//   run walks node_modules for them; so is the default seccomp program the build compiled.
// - dist/cli/bundle.cjs holds the modules a compile-and-run uses (found by running typical command lines
//   here, at build time); dist/cli/bundle-rest.cjs the others, read only by a command that needs one.
// - Both are plain ASCII (other characters escaped), which Node reads and V8 scans fastest.
// The bundle's id (a hash of both) is written into dist/cli/main.js and main.cjs, which load only the
// bundle of that id: a later `tsc` rewrites main.js without one, so its modules run until the bundle is made again.
import { createHash } from "node:crypto";
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const CORE = join(dist, "cli/bundle.cjs");
const REST = join(dist, "cli/bundle-rest.cjs");
// The entry shim itself stays outside: it is what loads the bundle.
const ENTRY = "cli/main.js";
// Generated CommonJS modules the compiled code require()s by path (src/policy/schema.ts): served from the bundle too.
const EXTRA = ["policy/validator.generated.cjs"];
// Packages carried inside the bundle (small, no relative requires of their own); any other goes to Node.
const CARRIED = ["arg", "ajv/dist/runtime/equal", "ajv/dist/runtime/ucs2length", "fast-deep-equal"];

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return modules(p);
    return e.name.endsWith(".js") ? [p] : [];
  });
}

/** Every non-ASCII UTF-16 unit as \uXXXX: valid in the string, template and regular expression literals it can occur in. */
const ascii = (text) => text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * `const x_js_1 = require("./x.js");` becomes a getter evaluated on first use, and every use of x_js_1 a call of it.
 * TypeScript names these bindings uniquely (name_js_N) and only ever reads them, so the rewrite is exact
 * (a name after a single dot is a property, after a spread's three it is the binding). The call is
 * parenthesised so that `new x_js_1.C()` stays a construction of C.
 */
function lazyImports(cjs) {
  const decls = [];
  // Relative modules, and packages through the default/namespace interop helpers (node: builtins are
  // already lazy, see builtin() below).
  const IMPORT = /^(?:const|var) (\w+) = (?:require\("(\.{1,2}\/[^"]+)"\)|(__importDefault|__importStar)\(require\("((?!node:)[^"]+)"\)\));$/gm;
  const marked = cjs.replace(IMPORT, (_, name, rel, wrap, pkg) => {
    decls.push({ name, spec: rel ?? pkg, wrap });
    return `\0${decls.length - 1}\0`;
  });
  let out = marked;
  for (const { name } of decls) out = out.replace(new RegExp(`(?<![\\w$])(?<![^.]\\.)${name}(?![\\w$])`, "g"), `(${name}$get())`);
  return out.replace(/\0(\d+)\0/g, (_, i) => {
    const { name, spec, wrap } = decls[Number(i)];
    const load = wrap ? `${wrap}(require(${JSON.stringify(spec)}))` : `require(${JSON.stringify(spec)})`;
    return `let ${name}$m; const ${name}$get = () => ${name}$m ?? (${name}$m = ${load});`;
  });
}

const defs = new Map(); // id → function source
for (const rel of EXTRA) defs.set(rel, `function (exports, require, module) {\n${readFileSync(join(dist, rel), "utf8")}\n}`);
const files = modules(dist)
  .map((f) => relative(dist, f).split(sep).join("/"))
  .filter((f) => f !== ENTRY)
  .sort();
for (const rel of files) {
  const file = join(dist, rel);
  const text = readFileSync(file, "utf8")
    .replace(/^#!.*\n/, "")
    .replace(/^\/\/# sourceMappingURL=.*$/m, "")
    .replace(/\bimport\.meta\.url\b/g, "__importMetaUrl");
  if (/\bimport\.meta\b/.test(text)) throw new Error(`${rel}: only import.meta.url can be bundled`);
  const cjs = ts.transpileModule(text, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, removeComments: true },
  }).outputText;
  defs.set(rel, `function (exports, require, module, __importMetaUrl) {\n${lazyImports(cjs)}\n}`);
}
// The default seccomp program scripts/build-seccomp.mjs compiled, when it came from the very compiler modules
// bundled here: marked as the bundle's own, a run then skips checking those modules on disk.
{
  const { BUNDLED, PRECOMPILED_FILE, sameCompilerModules } = await import(pathToFileURL(join(dist, "seccomp/precompiled.js")).href);
  const seccompDir = join(dist, "seccomp");
  let pre;
  try {
    pre = JSON.parse(readFileSync(join(seccompDir, PRECOMPILED_FILE), "utf8"));
  } catch {
    pre = undefined; // none built: runs compile the default filter
  }
  if (pre && sameCompilerModules(seccompDir, pre.modules)) defs.set(`seccomp/${PRECOMPILED_FILE}`, `function (exports, require, module) {\nmodule.exports = ${JSON.stringify({ ...pre, modules: BUNDLED })};\n}`);
}
// Carried packages, under ids outside dist/'s own ("node_modules/..."), and what each bare name means.
const carried = {};
const packageRequire = createRequire(join(root, "package.json"));
for (const spec of CARRIED) {
  const path = packageRequire.resolve(spec);
  const id = `node_modules/${relative(join(root, "node_modules"), path).split(sep).join("/")}`;
  const text = readFileSync(path, "utf8");
  if (/require\(["']\.{1,2}\//.test(text)) throw new Error(`${spec}: a carried package must not require files of its own`);
  defs.set(id, `function (exports, require, module) {\n${text.replace(/^\/\/# sourceMappingURL=.*$/m, "")}\n}`);
  carried[spec] = id;
}

// The loader: a function of (the package's require, dist's file URL, the bundle id) returning load(id), where
// id is a path under dist/. Modules not in this script are read from bundle-rest.cjs on first need.
const loader = (defsText, restIds) => `(function (nodeRequire, distUrl, bundleId) {
"use strict";
const defs = {
${defsText}};
const inRest = new Set(${JSON.stringify(restIds)});
const carried = ${JSON.stringify(carried)};
const loaded = new Map();
function resolveId(from, spec) {
  const parts = from.split("/");
  parts.pop();
  for (const s of spec.split("/")) {
    if (s === "..") parts.pop();
    else if (s !== ".") parts.push(s);
  }
  return parts.join("/");
}
let distPath;
let rest;
function restDefs() {
  if (rest) return rest.defs;
  const fs = nodeRequire("node:fs");
  const { Script } = nodeRequire("node:vm");
  const file = nodeRequire("node:url").fileURLToPath(new URL("cli/bundle-rest.cjs", distUrl));
  const source = fs.readFileSync(file, "latin1");
  if (!source.startsWith("// nsjail-ts bundle " + bundleId + "\\n")) throw new Error("nsjail-ts: " + file + " is from another build (run npm run build)");
  let cachedData;
  try {
    cachedData = fs.readFileSync(file.replace(/\\.cjs$/, ".cache"));
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  rest = { script, defs: script.runInThisContext() };
  return rest.defs;
}
const defOf = (id) => (Object.hasOwn(defs, id) ? defs[id] : inRest.has(id) ? restDefs()[id] : undefined);
// createRequire(url)(path) of a file the bundle holds gets the bundled module; anything else goes to Node.
function requireFor(url) {
  let real;
  const { fileURLToPath } = nodeRequire("node:url");
  const from = fileURLToPath(url);
  distPath ??= fileURLToPath(distUrl);
  return (spec) => {
    const path = spec.startsWith("/") ? spec : spec.startsWith("./") || spec.startsWith("../") ? resolveId(from, spec) : "";
    const id = path.startsWith(distPath) ? path.slice(distPath.length) : "";
    if (id && defOf(id)) return load(id);
    real ??= nodeRequire("node:module").createRequire(url);
    return real(spec);
  };
}
// Node's own modules load when first used, not when a module naming them loads: a run that never hashes
// never pays for node:crypto. Compiled code reaches them only as \`mod.name\` at the point of use.
const overrides = { "node:module": { createRequire: requireFor } };
const builtins = new Map();
function builtin(spec) {
  let proxy = builtins.get(spec);
  if (proxy) return proxy;
  let real;
  const own = overrides[spec] ?? {};
  const get = () => (real ??= nodeRequire(spec));
  proxy = new Proxy(Object.create(null), {
    get: (_, key) => (key === "__esModule" ? undefined : Object.hasOwn(own, key) ? own[key] : get()[key]),
    has: (_, key) => key in own || key in get(),
    ownKeys: () => [...new Set([...Reflect.ownKeys(get()), ...Reflect.ownKeys(own)])],
    getOwnPropertyDescriptor: (_, key) => {
      const d = Object.hasOwn(own, key) ? Reflect.getOwnPropertyDescriptor(own, key) : Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
  });
  builtins.set(spec, proxy);
  return proxy;
}
function load(id) {
  const hit = loaded.get(id);
  if (hit) return hit.exports;
  const def = defOf(id);
  if (!def) throw new Error("nsjail-ts bundle: no module " + id);
  const module = { exports: {} };
  loaded.set(id, module);
  const require = (spec) =>
    spec.startsWith("./") || spec.startsWith("../") ? load(resolveId(id, spec))
    : spec.startsWith("node:") ? builtin(spec)
    : Object.hasOwn(carried, spec) ? load(carried[spec])
    : nodeRequire(spec);
  def.call(undefined, module.exports, require, module, distUrl + id); // ids are plain paths: nothing to escape
  return module.exports;
}
// For the build: which modules ran, and the rest script once read (to make its code cache).
load.state = () => ({ loaded: [...loaded.keys()], restScript: rest?.script });
return load;
})`;
for (const id of defs.keys()) if (!/^[A-Za-z0-9_./-]+$/.test(id)) throw new Error(`${id}: a module path the loader would have to URL-escape`);
const defsText = (ids) => ids.map((id) => `${JSON.stringify(id)}: ${defs.get(id)},\n`).join("");

// Typical command lines, run here against a pipe that is never read: the modules they load make up the
// first script, and the functions they call are compiled into its code cache.
const scratch = mkdtempSync(join(tmpdir(), "nsjail-ts-build-"));
const policy = join(scratch, "policy.json");
writeFileSync(
  policy,
  JSON.stringify({
    hostname: "build",
    env: { clear: true, keep: ["PATH"], set: { A: "b" } },
    seccomp: { preset: "none" },
    limits: { rlimits: { nofile: 256 } },
    mounts: [
      { type: "bind", src: "/usr" },
      { type: "bind", src: "/etc", dst: "/etc" },
      { type: "symlink", target: "usr/bin", dst: "/bin" },
      { type: "proc", dst: "/proc" },
      { type: "dev", dst: "/dev" },
      { type: "tmpfs", dst: "/tmp", size: "16M" },
      { type: "dir", dst: "/work" },
      { type: "file", dst: "/work/a", content: "a" },
    ],
  }),
);
const RUNS = [
  ["nsjail-ts", ["--", "/bin/true"]],
  ["nsjail-ts", ["--policy", policy, "--no-cache", "--", "/bin/true"]],
  ["nsjail-ts", ["--policy", "build", "--", "sh", "-c", "true"]],
  ["bwrap", ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--unshare-all", "--die-with-parent", "--", "/bin/true"]],
];
async function warmUp(load) {
  const { start } = load("cli/cli.js");
  const saved = { ...process.env };
  const savedCode = process.exitCode;
  const cwd = process.cwd();
  process.chdir(scratch); // `--policy build` looks for ./build first
  try {
    for (const [i, [invokedAs, argv]] of RUNS.entries()) {
      // The compiler writes the plan to this fd, closes it and returns (on an error the fd stays open: harmless here).
      process.env.NSJAIL_TS_PLAN_FD = String(openSync("/dev/null", "w"));
      // One run takes the cache path, as a front end's cache miss does.
      if (i === 0) process.env.NSJAIL_TS_CACHE_WRITE = `build|build|${join(scratch, "plan")}`;
      process.exitCode = 0;
      await start(argv, invokedAs);
      // Where a run cannot compile (an unusual build machine), the bundle works the same and starts a little slower.
      if (process.exitCode) process.stderr.write(`build-bundle: warming up with ${invokedAs} ${argv.join(" ")} failed (exit ${process.exitCode}); the code cache holds less\n`);
    }
  } finally {
    process.chdir(cwd);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    process.exitCode = savedCode;
  }
}

// Round 1: every module in one script, to learn which ones the runs load.
const all = [...defs.keys()];
const whole = new Script(ascii(loader(defsText(all), [])), { filename: CORE });
const wholeLoad = whole.runInThisContext()(createRequire(CORE), pathToFileURL(`${dist}/`).href, "build");
await warmUp(wholeLoad);
const used = new Set(wholeLoad.state().loaded);
used.add("cli/cli.js");
const coreIds = all.filter((id) => used.has(id));
const restIds = all.filter((id) => !used.has(id));

const coreBody = ascii(loader(defsText(coreIds), restIds));
const restBody = ascii(`({\n${defsText(restIds)}})`);
const id = createHash("sha256").update(coreBody).update(restBody).digest("hex").slice(0, 32);
const header = `// nsjail-ts bundle ${id}\n`;
writeFileSync(CORE, header + coreBody);
writeFileSync(REST, header + restBody);

// Round 2: the scripts as a run reads them; their code caches hold what the runs compiled.
const core = new Script(header + coreBody, { filename: CORE });
const load = core.runInThisContext()(createRequire(CORE), pathToFileURL(`${dist}/`).href, id);
await warmUp(load);
const escaped = load.state().loaded.filter((m) => !used.has(m));
if (escaped.length) throw new Error(`the second warm-up loaded modules the first did not: ${escaped.join(", ")}`);
writeFileSync(join(dist, "cli/bundle.cache"), core.createCachedData());
// The rest: every module evaluated once, so its top-level code is in the cache.
for (const m of restIds) {
  if (m.startsWith("node_modules/")) continue;
  try {
    load(m);
  } catch {
    // a module that cannot load here (say, koffi's) is compiled when it is used
  }
}
const { restScript } = load.state();
if (restScript) writeFileSync(join(dist, "cli/bundle-rest.cache"), restScript.createCachedData());
rmSync(scratch, { recursive: true, force: true });

// The front end's entry (helper-c/front.c starts it): CommonJS, since Node starts an ES module entry
// through its ES module loader, which costs milliseconds the bundle does not need.
const entryCjs = `// nsjail-ts's CommonJS entry, written by scripts/build-bundle.mjs: the bundle of its build, as main.js
// loads it, or main.js itself when the bundle is from another build.
"use strict";
const { readFileSync } = require("node:fs");
const { join, basename } = require("node:path");
function bundleLoader() {
  const file = join(__dirname, "bundle.cjs");
  let source;
  try {
    source = readFileSync(file, "latin1");
  } catch {
    return undefined;
  }
  if (!source.startsWith(${JSON.stringify(header)})) return undefined;
  let cachedData;
  try {
    cachedData = readFileSync(join(__dirname, "bundle.cache"));
  } catch {
    cachedData = undefined;
  }
  const { Script } = require("node:vm");
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const distUrl = require("node:url").pathToFileURL(join(__dirname, "..") + "/").href;
  return script.runInThisContext()(require, distUrl, ${JSON.stringify(id)});
}
const load = bundleLoader();
const argv = process.argv.slice(2);
const invokedAs = basename(process.argv[1] || "");
if (load) load("cli/cli.js").start(argv, invokedAs);
else import("./cli.js").then((cli) => cli.start(argv, invokedAs));
`;
writeFileSync(join(dist, "cli/main.cjs"), entryCjs);

// Last, so that an interrupted build leaves main.js without an id (its modules run).
const mainFile = join(dist, ENTRY);
const main = readFileSync(mainFile, "utf8");
const ID_LINE = /^const BUNDLE_ID = "[0-9a-f]*";$/gm;
if ((main.match(ID_LINE) ?? []).length !== 1) throw new Error(`${ENTRY}: expected one line const BUNDLE_ID = "";`);
writeFileSync(mainFile, main.replace(ID_LINE, `const BUNDLE_ID = "${id}";`));
