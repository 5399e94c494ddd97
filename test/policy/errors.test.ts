// Every way a policy can be wrong gives one line: file:line:column, pointer, what was expected.

import t from "tap";
import { join } from "node:path";
import { ExitCode } from "../../src/errors.js";
import { loadPolicy } from "../../src/policy/index.js";
import { errorOf, load, policyDir, vars } from "./fixtures.js";

/** The message, checked to be a single line, with the location prefix. */
function message(text: string): string {
  const err = errorOf(() => load(text));
  if (err.code !== ExitCode.Policy) throw new Error(`exit code ${err.code}, expected ${ExitCode.Policy}`);
  if (err.message.includes("\n")) throw new Error(`not one line: ${err.message}`);
  return err.message;
}

t.test("JSON syntax errors name line and column and what was expected", async (t) => {
  t.equal(message('{\n  "hostname": "a"\n  "uid": 1\n}'), '/p/test.json:3:3: invalid JSON: expected "," or "}" after the value of "hostname", got "\\""');
  t.equal(message('{"uid": 1,}'), '/p/test.json:1:11: invalid JSON: expected a property name in double quotes, got "}" (a trailing comma is not allowed)');
  t.equal(message('{"mounts": [1,]}'), '/p/test.json:1:15: invalid JSON: expected a value, got "]" (a trailing comma is not allowed)');
  t.match(message(""), /^\/p\/test\.json:1:1: invalid JSON: expected a JSON value, got the end of the file/);
  t.match(message('{"a": "b'), /1:9: invalid JSON: unterminated string/);
  t.match(message("// note\n{}"), /1:1: invalid JSON: comments are not JSON; write a "\$comment"/);
  t.match(message('{"mode": 0755}'), /1:10: invalid JSON: malformed number "0755" \(JSON numbers are decimal/);
  t.match(message("{'a': 1}"), /1:2: invalid JSON: expected a property name in double quotes/);
  t.match(message('{"a": tru}'), /1:7: invalid JSON: expected a value/);
  t.match(message("{} {}"), /1:4: invalid JSON: expected the end of the file/);
  t.match(message('{"a": "\\x"}'), /invalid escape "\\x"/);
  t.match(message("[".repeat(300)), /nested more than 200 deep/);
});

t.test("duplicate keys are an error pointing at the second", async (t) => {
  t.equal(message('{\n  "uid": 1,\n  "uid": 2\n}'), '/p/test.json:3:3: invalid JSON: duplicate key "uid" (first at line 2:3)');
});

t.test("unknown keys get a suggestion and point at the key", async (t) => {
  t.equal(message('{\n  "mount": []\n}'), '/p/test.json:2:3 #/mount: unknown key "mount"; did you mean "mounts"?');
  t.equal(
    message('{"mounts": [{"type": "bind", "src": "/x", "dts": "/y"}]}'),
    '/p/test.json:1:43 #/mounts/0/dts: unknown key "dts" in a bind mount; did you mean "dst"?',
  );
  t.match(message('{"namespaces": {"nett": false}}'), /#\/namespaces\/nett: unknown key "nett"; did you mean "net"\?/);
  t.match(message('{"zzzzzz": 1}'), /unknown key "zzzzzz"; allowed keys: \$schema, \$comment, description, extends/);
});

t.test("bad enum values and mount types get suggestions", async (t) => {
  t.equal(message('{"mounts": [{"type": "bnd", "src": "/x"}]}'), '/p/test.json:1:13 #/mounts/0: unknown mount type "bnd"; did you mean "bind"?');
  t.match(message('{"mounts": [{"type": "zzz"}]}'), /unknown mount type "zzz"; expected one of "bind", "tmpfs"/);
  t.match(message('{"mounts": [{"dst": "/x"}]}'), /#\/mounts\/0: missing key "type": expected the mount type/);
  t.equal(
    message('{"capabilities": {"keep": ["CAP_SYS_ADMN"]}}'),
    '/p/test.json:1:28 #/capabilities/keep/0: unknown value "CAP_SYS_ADMN"; did you mean "CAP_SYS_ADMIN"?',
  );
});

t.test("sizes, modes, rlimits and other values say what was expected", async (t) => {
  t.equal(
    message('{"mounts": [{"type": "tmpfs", "dst": "/t", "size": "64MB"}]}'),
    '/p/test.json:1:52 #/mounts/0/size: expected a size like "64M" (a number of bytes, or digits followed by K, M, G or T), got "64MB"; did you mean "64M"?',
  );
  t.match(message('{"mounts": [{"type": "tmpfs", "dst": "/t", "size": -1}]}'), /#\/mounts\/0\/size: expected a size like "64M"/);
  t.equal(
    message('{"mounts": [{"type": "dir", "dst": "/d", "mode": "0855"}]}'),
    '/p/test.json:1:50 #/mounts/0/mode: expected a mode as an octal string like "0755" or "1777", or a number from 0 to 4095, got "0855"',
  );
  t.match(message('{"mounts": [{"type": "dir", "dst": "/d", "mode": "0o755"}]}'), /got "0o755"; did you mean "755"\?/);
  t.match(message('{"limits": {"rlimits": {"nofile": "lots"}}}'), /#\/limits\/rlimits\/nofile: expected a non-negative whole number, a size like "64M", or "unlimited", got "lots"/);
  t.match(message('{"uid": 70000}'), /#\/uid: expected a number <= 65535, got 70000/);
  t.match(message('{"hostname": 5}'), /#\/hostname: expected a host name .*, got 5$/);
  t.match(message('{"cwd": "relative"}'), /#\/cwd: expected an absolute path/);
  t.match(message('{"mounts": [{"type": "overlay", "dst": "/o", "lower": ["/a"], "upper": "/u"}]}'), /#\/mounts\/0: "upper" needs "work" too/);
  t.match(message('{"env": {"set": {"1A": "x"}}}'), /1:18 #\/env\/set\/1A: invalid variable name "1A"/);
  t.match(message("[]"), /1:1 #: expected object, got an array/);
  t.match(message('{"extends": 5}'), /#\/extends: expected a preset name or a policy file path, got 5/);
});

t.test("variables: unknown and undefined ones are errors with their place", async (t) => {
  t.equal(message('{\n "hostname": "${HOEM}"\n}'), '/p/test.json:2:14 #/hostname: unknown variable "${HOEM}"; did you mean "HOME"?');
  t.match(message('{"cwd": "${env:NOPE}"}'), /1:9 #\/cwd: undefined variable \$\{env:NOPE\}: the environment variable NOPE is not set/);
  t.match(message('{"cwd": "${PWD"}'), /unterminated variable/);
  t.match(message('{"cwd": "${env:1X}"}'), /invalid environment variable name "1X"/);
  const noXdg = errorOf(() => loadPolicyTextWithout('{"cwd": "${XDG_RUNTIME_DIR}"}'));
  t.match(noXdg.message, /undefined variable \$\{XDG_RUNTIME_DIR\}/);
});

function loadPolicyTextWithout(text: string): unknown {
  const { XDG_RUNTIME_DIR: _dropped, ...rest } = vars;
  return loadPolicy({ file: join(policyDir({ "p.json": text }), "p.json"), vars: rest });
}

t.test("paths: relative, '..' and hiding a read-only mount", async (t) => {
  t.match(message('{"mounts": [{"type": "bind", "src": "/etc", "dst": "/a/../etc"}]}'), /#\/mounts\/0\/dst: bind dst must not contain "\.\.", got "\/a\/\.\.\/etc"/);
  t.match(message('{"cwd": "/a/../b"}'), /#\/cwd: cwd must not contain "\.\."/);
  t.match(message('{"mounts": [{"type": "bind", "src": "${env:EMPTY}rel"}]}'), /#\/mounts\/0\/src: expected an absolute path \(starting with "\/", or with a variable such as "\$\{PWD\}"\), got "rel"/);
  t.equal(
    message('{"mounts": [\n {"type": "bind", "src": "/etc"},\n {"type": "tmpfs", "dst": "/etc"}\n]}'),
    '/p/test.json:3:2 #/mounts/1: writable tmpfs mount on "/etc" hides the read-only bind mount at /p/test.json:2:2#/mounts/0; remove one of them or make this one read-only',
  );
  t.match(message('{"mounts": [{"type": "tmpfs", "dst": "/x"}, {"type": "remount-ro", "dst": "/x"}, {"type": "bind", "src": "/y", "dst": "/x", "rw": true}]}'), /writable bind mount on "\/x" hides the read-only tmpfs mount/);
  t.match(message('{"mounts": [{"type": "overlay", "dst": "/o", "lower": ["/a"], "tmp": true, "upper": "/u", "work": "/w"}]}'), /"tmp": true writes to a tmpfs; it cannot also have "upper"/);
});

t.test("extends: cycles, unknown presets, missing files", async (t) => {
  const dir = policyDir({
    "a.json": '{"extends": "b.json"}',
    "b.json": '{\n  "extends": ["./a.json"]\n}',
    "self.json": '{"extends": "self.json"}',
    "missing.json": '{"extends": "./nope.json"}',
  });
  const cycle = errorOf(() => loadPolicy({ file: join(dir, "a.json"), vars }));
  t.match(cycle.message, /b\.json:2:15 #\/extends\/0: extends cycle: .*a\.json -> .*b\.json -> .*a\.json$/);
  t.match(errorOf(() => loadPolicy({ file: join(dir, "self.json"), vars })).message, /extends cycle: .*self\.json -> .*self\.json/);
  const missing = errorOf(() => loadPolicy({ file: join(dir, "missing.json"), vars }));
  t.match(missing.message, /missing\.json:1:13 #\/extends: cannot read policy file .*nope\.json: No such file or directory$/);
  t.match(message('{"extends": "buidl"}'), /#\/extends: unknown preset "buidl"; did you mean "build"\?/);
  t.match(message('{"extends": "zzzzzz"}'), /unknown preset "zzzzzz"; presets: .*build.*default.*untrusted/);
});

t.test("an unreadable policy file is one line naming it and the errno text", async (t) => {
  const err = errorOf(() => loadPolicy({ file: "/nonexistent/policy.json", vars }));
  t.equal(err.message, "cannot read policy file /nonexistent/policy.json: No such file or directory");
  t.equal(err.code, ExitCode.Policy);
  t.equal(errorOf(() => loadPolicy({ file: policyDir({}), vars })).shortMessage.endsWith("Is a directory"), true);
});

t.test("a later mount on the same destination is a warning", async (t) => {
  const r = load('{"mounts": [\n {"type": "tmpfs", "dst": "/x"},\n {"type": "tmpfs", "dst": "/x/"}\n]}');
  t.same(r.warnings, ['/p/test.json:3:2#/mounts/1: tmpfs mount on "/x" covers the tmpfs mount at /p/test.json:2:2#/mounts/0, which is no longer visible']);
  t.same(load('{"mounts": [{"type": "bind", "src": "/a", "rw": true}, {"type": "bind", "src": "/a"}]}').warnings.length, 1, "read-only over writable warns");
  t.same(load('{"mounts": [{"type": "tmpfs", "dst": "/x"}, {"type": "dir", "dst": "/x"}, {"type": "remount-ro", "dst": "/x"}]}').warnings, [], "dir and remount-ro do not cover");
});
