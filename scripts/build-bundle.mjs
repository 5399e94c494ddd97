#!/usr/bin/env node
// Build step: every compiled module of dist/ in one script, with a V8 code cache, so that a cold run
// does not pay Node's ES module loader for a hundred files (resolve, read, link each) nor parse them.
// The modules are turned into CommonJS by TypeScript's own transform, each wrapped in a function that
// receives its original file URL as import.meta.url. The bundle's id (a hash of it) is written into the
// built dist/cli/main.js, which loads only the bundle of that id: a later `tsc` rewrites main.js without
// one, so its modules run until the bundle is made again.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const out = join(dist, "cli/bundle.cjs");
// The entry shim itself stays outside: it is what loads the bundle.
const ENTRY = "cli/main.js";
// Generated CommonJS modules the compiled code require()s by path (src/policy/schema.ts): served from the bundle too.
const EXTRA = ["policy/validator.generated.cjs"];

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return modules(p);
    return e.name.endsWith(".js") ? [p] : [];
  });
}

const files = modules(dist)
  .map((f) => relative(dist, f).split(sep).join("/"))
  .filter((f) => f !== ENTRY)
  .sort();
let defs = "";
for (const rel of EXTRA) {
  const text = readFileSync(join(dist, rel), "utf8");
  defs += `${JSON.stringify(rel)}: function (exports, require, module) {\n${text}\n},\n`;
}
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
  defs += `${JSON.stringify(rel)}: function (exports, require, module, __importMetaUrl) {\n${cjs}\n},\n`;
}

// A function of (the package's require, dist's file URL) returning load(id), where id is a path under dist/.
const body = `(function (nodeRequire, distUrl) {
"use strict";
const defs = {
${defs}};
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
// createRequire(url)(path) of a file the bundle holds gets the bundled module; anything else goes to Node.
const { fileURLToPath } = nodeRequire("node:url");
const distPath = fileURLToPath(distUrl);
function requireFor(url) {
  const real = nodeRequire("node:module").createRequire(url);
  const from = fileURLToPath(url);
  return (spec) => {
    const path = spec.startsWith("/") ? spec : spec.startsWith("./") || spec.startsWith("../") ? resolveId(from, spec) : "";
    const id = path.startsWith(distPath) ? path.slice(distPath.length) : "";
    return id && Object.hasOwn(defs, id) ? load(id) : real(spec);
  };
}
const nodeModule = { ...nodeRequire("node:module"), createRequire: requireFor };
// Node's own modules load when first used, not when a module naming them loads: a run that never hashes
// never pays for node:crypto. Compiled code reaches them only as \`mod.name\` at the point of use.
const builtins = new Map();
function builtin(spec) {
  let proxy = builtins.get(spec);
  if (proxy) return proxy;
  let real;
  const get = () => (real ??= nodeRequire(spec));
  proxy = new Proxy(Object.create(null), {
    get: (_, key) => (key === "__esModule" ? undefined : get()[key]),
    has: (_, key) => key in get(),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
  });
  builtins.set(spec, proxy);
  return proxy;
}
function load(id) {
  const hit = loaded.get(id);
  if (hit) return hit.exports;
  const def = defs[id];
  if (!def) throw new Error("nsjail-ts bundle: no module " + id);
  const module = { exports: {} };
  loaded.set(id, module);
  const require = (spec) =>
    spec.startsWith("./") || spec.startsWith("../") ? load(resolveId(id, spec))
    : spec === "node:module" ? nodeModule
    : spec.startsWith("node:") ? builtin(spec)
    : nodeRequire(spec);
  def.call(undefined, module.exports, require, module, new URL(id, distUrl).href);
  return module.exports;
}
return load;
})`;
const id = createHash("sha256").update(body).digest("hex").slice(0, 32);
const source = `// nsjail-ts bundle ${id}\n${body}`;
writeFileSync(out, source);

// The code cache: compiled after a typical compile ran, so that the functions a run calls are in it.
const script = new Script(source, { filename: out });
const load = script.runInThisContext()(createRequire(out), pathToFileURL(`${dist}/`).href);
try {
  load("run/prepare.js").preparePlan({ command: ["/bin/true"] });
} catch {
  // The default policy may not compile where this builds (say, an unusual cwd): the cache only holds less.
}
writeFileSync(join(dist, "cli/bundle.cache"), script.createCachedData());

// The front end's entry (helper-c/front.c starts it): CommonJS, since Node starts an ES module entry
// through its ES module loader, which costs milliseconds the bundle does not need.
const entryCjs = `// nsjail-ts's CommonJS entry, written by scripts/build-bundle.mjs: the bundle of its build, as main.js
// loads it, or main.js itself when the bundle is from another build.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
function bundleLoader() {
  const file = join(__dirname, "bundle.cjs");
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  if (!source.startsWith("// nsjail-ts bundle ${id}\\n")) return undefined;
  let cachedData;
  try {
    cachedData = readFileSync(join(__dirname, "bundle.cache"));
  } catch {
    cachedData = undefined;
  }
  const { Script } = require("node:vm");
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const distUrl = require("node:url").pathToFileURL(join(__dirname, "..") + "/").href;
  return script.runInThisContext()(require("node:module").createRequire(file), distUrl);
}
const load = bundleLoader();
if (load) load("cli/cli.js");
else import("./main.js");
`;
writeFileSync(join(dist, "cli/main.cjs"), entryCjs);

// Last, so that an interrupted build leaves main.js without an id (its modules run).
const mainFile = join(dist, ENTRY);
const main = readFileSync(mainFile, "utf8");
const ID_LINE = /^const BUNDLE_ID = "[0-9a-f]*";$/gm;
if ((main.match(ID_LINE) ?? []).length !== 1) throw new Error(`${ENTRY}: expected one line const BUNDLE_ID = "";`);
writeFileSync(mainFile, main.replace(ID_LINE, `const BUNDLE_ID = "${id}";`));
