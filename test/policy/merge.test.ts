// Composition (extends, layers), variables and origins of a resolved policy.

import t from "tap";
import { join } from "node:path";
import { addLayer, formatOrigin, loadPolicy, presetsDir } from "../../src/policy/index.js";
import { errorOf, load, policyDir, vars } from "./fixtures.js";

const dir = policyDir({
  "base.json": JSON.stringify({
    hostname: "base",
    namespaces: { net: false, ipc: false },
    env: { clear: true, keep: ["PATH"], set: { A: "1", B: "2" } },
    mounts: [{ type: "tmpfs", dst: "/base" }],
    limits: { time: 10, rlimits: { nofile: 64, nproc: 10 }, cgroup: { pids: 5 } },
    seccomp: { default: "errno", rules: [{ action: "allow", syscalls: ["read"] }] },
    capabilities: { keep: ["CAP_CHOWN"] },
  }),
  "mid.json": JSON.stringify({ extends: "base.json", mounts: [{ type: "tmpfs", dst: "/mid" }], env: { set: { B: "mid" } } }),
  "other.json": JSON.stringify({ mounts: [{ type: "tmpfs", dst: "/other" }], uid: 5 }),
  "top.json": JSON.stringify({
    extends: ["./mid.json", "other.json", "base.json"],
    hostname: "top",
    namespaces: { net: true },
    env: { keep: ["HOME"], set: { C: "3" } },
    mounts: [{ type: "tmpfs", dst: "/top" }],
    limits: { rlimits: { nofile: 128 } },
    seccomp: { preset: "none" },
  }),
});

t.test("merge rules: mounts append base first, maps merge, scalars and arrays replace, seccomp whole", async (t) => {
  const r = loadPolicy({ file: join(dir, "top.json"), vars });
  const p = r.policy;
  t.same(p.mounts?.map((m) => m.dst), ["/base", "/mid", "/other", "/top"], "depth-first, each file once");
  t.equal(p.hostname, "top");
  t.equal(p.uid, 5);
  t.same(p.namespaces, { net: true, ipc: false });
  t.same(p.env, { clear: true, keep: ["HOME"], set: { A: "1", B: "mid", C: "3" } });
  t.same(p.limits, { time: 10, rlimits: { nofile: 128, nproc: 10 }, cgroup: { pids: 5 } });
  t.same(p.seccomp, { preset: "none" });
  t.same(p.capabilities, { keep: ["CAP_CHOWN"] });
  t.notOk("extends" in p, "extends is resolved away");
  t.same(r.files, ["top.json", "mid.json", "base.json", "other.json"].map((f) => join(dir, f)));
});

t.test("origins point to where each merged value was written", async (t) => {
  const r = loadPolicy({ file: join(dir, "top.json"), vars });
  t.same(r.origin("/mounts/1"), { file: join(dir, "mid.json"), pointer: "/mounts/0", line: 1, column: 34 });
  t.equal(r.origin("/mounts/3/dst")?.file, join(dir, "top.json"));
  t.equal(r.origin("/mounts/3/size/deeper")?.pointer, "/mounts/0", "falls back to the nearest ancestor");
  t.equal(r.origin("/env/set/A")?.file, join(dir, "base.json"));
  t.equal(r.origin("/env/set/C")?.file, join(dir, "top.json"));
  t.equal(r.origin("/limits/rlimits/nproc")?.file, join(dir, "base.json"));
  t.equal(r.origin("")?.file, join(dir, "top.json"));
  t.match(formatOrigin({ file: join(process.cwd(), "x", "build.json"), pointer: "/mounts/3", line: 12, column: 5 }), /^x\/build\.json:12:5#\/mounts\/3$/);
  t.equal(formatOrigin({ file: "command line", pointer: "/mounts/0", line: 0, column: 0 }), "command line#/mounts/0");
});

t.test("presets by name", async (t) => {
  const r = load('{"extends": "build", "hostname": "mine"}');
  t.equal(r.policy.hostname, "mine");
  t.equal(r.files[0], join(presetsDir(), "build.json"));
  t.ok(r.policy.mounts?.some((m) => m.type === "tmpfs" && m.dst === "/home/alice"), "the build preset's home tmpfs, from ${HOME}");
});

t.test("variables expand in every string value", async (t) => {
  const r = load(
    JSON.stringify({
      cwd: "${PWD}/sub",
      hostname: "h${UID}-${GID}",
      env: { set: { A: "${HOME}:${USER}:${XDG_RUNTIME_DIR}", B: "${env:EDITOR}", C: "${env:UNSET:-fallback}", D: "${env:EMPTY:-was-empty}", E: "$$HOME $x $" } },
      mounts: [{ type: "file", dst: "/f", content: "price: $$5 ${env:EDITOR}" }],
      description: "prose is not expanded: ${NOT_A_VARIABLE}",
    }),
  );
  t.equal(r.policy.cwd, "/home/alice/project/sub");
  t.equal(r.policy.hostname, "h1000-1000");
  t.same(r.policy.env?.set, { A: "/home/alice:alice:/run/user/1000", B: "vi", C: "fallback", D: "was-empty", E: "$HOME $x $" });
  t.same(r.policy.mounts, [{ type: "file", dst: "/f", content: "price: $5 vi" }]);
  t.same(r.envRead, { EDITOR: "vi", UNSET: undefined, EMPTY: "" });
  t.equal(r.policy.description, "prose is not expanded: ${NOT_A_VARIABLE}");
});

t.test("paths are normalised and bind dst defaults to src", async (t) => {
  const r = load('{"cwd": "/a//b/./", "root": "/srv/root/", "mounts": [{"type": "bind", "src": "/usr/lib/../bin/"}, {"type": "tmpfs", "dst": "//tmp/"}]}');
  t.equal(r.policy.cwd, "/a/b");
  t.equal(r.policy.root, "/srv/root");
  t.same(r.policy.mounts, [{ type: "bind", src: "/usr/bin", dst: "/usr/bin" }, { type: "tmpfs", dst: "/tmp" }]);
  t.equal(r.origin("/mounts/0/dst")?.pointer, "/mounts/0/src", "a filled-in dst points at its src");
});

t.test("env.set may carry a $comment, which is not a variable", async (t) => {
  t.same(load('{"env": {"set": {"$comment": "why", "description": "a variable"}}}').policy.env?.set, { description: "a variable" });
});

t.test("addLayer merges command-line fragments with the same rules and checks", async (t) => {
  const base = load('{"hostname": "a", "mounts": [{"type": "bind", "src": "/usr"}, {"type": "tmpfs", "dst": "/tmp"}]}');
  const r = addLayer(base, { hostname: "b", mounts: [{ type: "bind", src: "/data", dst: "/mnt/" }] }, "command line");
  t.equal(r.policy.hostname, "b");
  t.same(r.policy.mounts?.map((m) => m.dst), ["/usr", "/tmp", "/mnt"]);
  t.same(r.origin("/mounts/2"), { file: "command line", pointer: "/mounts/0", line: 0, column: 0 });
  t.equal(r.origin("/mounts/0")?.file, "/p/test.json");
  const again = addLayer(r, { mounts: [{ type: "tmpfs", dst: "/tmp" }] }, "--tmpfs /tmp");
  t.same(again.warnings, ['--tmpfs /tmp#/mounts/0: tmpfs mount on "/tmp" covers the tmpfs mount at /p/test.json:1:63#/mounts/1, which is no longer visible']);
  t.equal(errorOf(() => addLayer(base, { mounts: [{ type: "tmpfs", dst: "/usr" }] }, "--tmpfs /usr")).message,
    '--tmpfs /usr #/mounts/0: writable tmpfs mount on "/usr" hides the read-only bind mount at /p/test.json:1:30#/mounts/0; remove one of them or make this one read-only');
  t.match(errorOf(() => addLayer(base, { hostname: "bad name!" }, "--hostname")).message, /^--hostname #\/hostname: expected a host name \(letters, digits, "\." and "-".*got "bad name!"$/);
  t.match(errorOf(() => addLayer(base, { extends: "build" }, "flags")).message, /"extends" is only allowed in policy files/);
  t.same(base.policy.hostname, "a", "the base is unchanged");
});

t.test("reader notes are dropped from the resolved policy, descriptions of policy and mounts stay", async (t) => {
  const r = load(JSON.stringify({
    description: "top",
    $comment: "c",
    namespaces: { description: "d", $comment: "c", net: false },
    limits: { $comment: "c", rlimits: { $comment: "c", description: "d", nofile: 5 }, cgroup: { description: "d", pids: 3 } },
    mounts: [{ type: "tmpfs", dst: "/t", description: "why", $comment: "c" }],
  }));
  t.same(r.policy, { description: "top", namespaces: { net: false }, limits: { rlimits: { nofile: 5 }, cgroup: { pids: 3 } }, mounts: [{ type: "tmpfs", dst: "/t", description: "why" }] });
});

t.test("env.unset accumulates across layers: a later unset does not bring back what an earlier one removed", async (t) => {
  const base = load('{"env": {"unset": ["SSH_AUTH_SOCK", "GNUPGHOME"], "set": {"A": "1"}}}');
  const layered = addLayer(base, { env: { unset: ["FOO", "GNUPGHOME"] } }, "--unsetenv");
  t.same(layered.policy.env?.unset, ["SSH_AUTH_SOCK", "GNUPGHOME", "FOO"], "base first, each name once");
  t.same(layered.policy.env?.set, { A: "1" });
  const keep = addLayer(base, { env: { keep: ["PATH"] } }, "flags");
  t.same(keep.policy.env?.unset, ["SSH_AUTH_SOCK", "GNUPGHOME"], "a layer without unset leaves it alone");
});
