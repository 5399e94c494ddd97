// policies/seccomp.schema.json: strict 2020-12, accepts the default filter, rejects malformed rules.
import t from "tap";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { PROJECT_ROOT } from "./helpers.js";

const read = (p: string): unknown => JSON.parse(readFileSync(join(PROJECT_ROOT, p), "utf8"));
const schema = read("policies/seccomp.schema.json") as Record<string, unknown>;
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema);

t.test("the schema describes every property", async (t) => {
  const missing: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null) return;
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const [k, v] of Object.entries(props)) if (v !== true && !(v as { description?: string }).description) missing.push(`${path}/${k}`);
    for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
  };
  walk(schema, "");
  t.same(missing, []);
  t.equal(schema["$id"], "seccomp.schema.json");
});

t.test("accepts the default filter and typical filters", async (t) => {
  t.ok(validate(read("policies/seccomp-default.json")), JSON.stringify(validate.errors));
  for (const ok of [
    { preset: "none" },
    { profile: "docker.json", rules: [{ action: "errno:EPERM", syscalls: ["keyctl"] }] },
    { default: "kill-process", rules: [{ action: "allow", syscalls: ["@system-service"], $comment: "x" }] },
    { default: "errno", rules: [{ action: "allow", syscalls: ["ioctl"], args: [{ index: 1, op: "&==", mask: "0xffff", value: "TIOCSTI" }] }] },
  ]) t.ok(validate(ok), JSON.stringify(ok));
});

t.test("rejects malformed filters", async (t) => {
  for (const bad of [
    { default: "permit" },
    { default: "allow", extra: true },
    { preset: "default", profile: "x.json" },
    { default: "allow", rules: [{ action: "allow", syscalls: [] }] },
    { default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 6, op: "==", value: 1 }] }] },
    { default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "&==", value: 1 }] }] },
    { default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "==", value: 1, mask: 1 }] }] },
    { default: "allow", rules: [{ action: "allow", syscalls: ["read"], bogus: 1 }] },
  ]) t.notOk(validate(bad), JSON.stringify(bad));
});
