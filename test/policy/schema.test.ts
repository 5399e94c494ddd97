// The schema documents itself, the man page documents the schema, and every preset loads.

import t from "tap";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy, policySchema, presetsDir } from "../../src/policy/index.js";
import { projectRoot } from "../helpers/sandbox.js";
import { buildPolicyValidator } from "../../src/policy/schema.js";
import { load, vars } from "./fixtures.js";

type Schema = Record<string, unknown>;

/** Every `properties` entry of the schema, with the JSON pointer of its owner. */
function everyProperty(schema: unknown, at = "#"): { at: string; name: string; def: Schema }[] {
  if (schema === null || typeof schema !== "object") return [];
  const out: { at: string; name: string; def: Schema }[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties" && value && typeof value === "object") {
      for (const [name, def] of Object.entries(value as Record<string, Schema>)) out.push({ at, name, def });
    }
    out.push(...everyProperty(value, `${at}/${key}`));
  }
  return out;
}

t.test("every schema property has a description", async (t) => {
  const props = everyProperty(policySchema());
  t.ok(props.length > 60, `found ${props.length} properties`);
  for (const { at, name, def } of props) {
    t.ok(typeof def.description === "string" && def.description.length > 5, `${at}/properties/${name} has a description`);
  }
});

t.test("every object in the schema refuses unknown keys", async (t) => {
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== "object") return;
    const s = node as Schema;
    if (s.properties && !("propertyNames" in s)) t.equal(s.additionalProperties, false, `${at} has additionalProperties: false`);
    for (const [k, v] of Object.entries(s)) walk(v, `${at}/${k}`);
  };
  walk(policySchema(), "#");
});

t.test("the schema is usable by editors", async (t) => {
  const s = policySchema();
  t.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema");
  t.match(String(s.$id), /^https:\/\//);
  t.type(s.title, "string");
  t.equal((s.properties as Schema).seccomp && ((s.properties as Schema).seccomp as Schema).$ref, "seccomp.schema.json");
});

t.test("every preset loads, validates and explains itself", async (t) => {
  for (const name of ["default", "build", "untrusted"]) {
    const file = join(presetsDir(), `${name}.json`);
    const r = loadPolicy({ file, vars });
    t.same(r.warnings, [], `${name}: no warnings`);
    t.ok((r.policy.description ?? "").length > 100, `${name}: describes its threat model`);
    t.ok(r.policy.mounts?.some((m) => m.type === "bind" && m.dst === "/usr"), `${name}: /usr read-only`);
    t.not(r.policy.namespaces?.net, false, `${name}: no network`);
    t.same(JSON.parse(readFileSync(file, "utf8")).$schema, "./schema.json");
  }
  const dflt = loadPolicy({ vars }).policy;
  t.same(dflt.cwd, vars.PWD, "no file means policies/default.json");
  t.ok(dflt.mounts?.some((m) => m.type === "bind" && m.src === vars.PWD && m.rw), "default: the current directory read-write");
  const untrusted = loadPolicy({ file: join(presetsDir(), "untrusted.json"), vars }).policy;
  t.equal(untrusted.env?.clear, true);
  t.equal(untrusted.newSession, true);
  t.equal(untrusted.seccomp, undefined, "the default seccomp filter");
  t.same(untrusted.capabilities?.keep, []);
  t.type(untrusted.limits?.time, "number");
  for (const r of ["nproc", "nofile", "fsize", "as", "cpu"] as const) t.ok(untrusted.limits?.rlimits?.[r] !== undefined, `untrusted: rlimit ${r}`);
  const build = loadPolicy({ file: join(presetsDir(), "build.json"), vars }).policy;
  const dsts = build.mounts?.map((m) => m.dst) ?? [];
  t.ok(dsts.indexOf(vars.HOME) < dsts.indexOf(vars.PWD), "build: the home tmpfs comes before the project bind");
});

const manPage = join(projectRoot, "man", "nsjail-ts-policy.5");

t.test("the man page names every schema property", async (t) => {
  const text = readFileSync(manPage, "utf8").replace(/\\-/g, "-");
  const names = new Set(everyProperty(policySchema()).map((p) => p.name));
  for (const name of names) t.ok(new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/\$/g, "\\$")}($|[^A-Za-z0-9_])`, "m").test(text), `man page mentions ${name}`);
  t.match(text, /first-match-wins/);
});

t.test("the man page renders without warnings", { skip: spawnSync("man", ["--version"]).status !== 0 ? "man is not installed" : false }, async (t) => {
  const r = spawnSync("man", ["--warnings", "-l", manPage], { encoding: "utf8", env: { ...process.env, MANWIDTH: "80", MAN_KEEP_FORMATTING: "" } });
  t.equal(r.status, 0);
  t.equal(r.stderr, "", "no warnings");
  t.match(r.stdout, /MERGE|COMPOSITION/);
});

t.test("the policy schema (with the seccomp schema) compiles in ajv's strict mode", async (t) => {
  t.doesNotThrow(() => buildPolicyValidator(true));
});

t.test("seccomp is checked by policies/seccomp.schema.json once it exists", async (t) => {
  if (!existsSync(join(presetsDir(), "seccomp.schema.json"))) {
    t.ok(load('{"seccomp": {"anything": 1}}'), "until then any object is accepted");
    t.throws(() => load('{"seccomp": 1}'), /#\/seccomp: expected object/);
    return;
  }
  t.throws(() => load('{"seccomp": {"rulez": []}}'), /#\/seccomp/);
  t.ok(load('{"seccomp": {"preset": "none"}}'));
});
