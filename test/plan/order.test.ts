// The emitted op sequence follows SETUP_ORDER: user namespace first, seccomp last before exec.

import t from "tap";
import { compileOps } from "../../src/plan/order.js";
import { ENV_CLEAR, OpType } from "../../src/plan/ops.js";
import type { CompileContext } from "../../src/plan/context.js";
import type { Policy } from "../../src/policy/types.js";
import { NsjailError } from "../../src/errors.js";

function ctx(policy: Policy, extra: Partial<CompileContext> = {}): CompileContext {
  return {
    policy,
    caller: { uid: 1000, gid: 1001, cwd: "/home/u/p", env: { PATH: "/usr/bin:/bin", HOME: "/home/u", SECRET: "x" } },
    command: ["make", "-j2"],
    seccompProgram: Buffer.alloc(16),
    originOf: (p) => `p.json#${p}`,
    whereOf: (p) => ({ file: "p.json", pointer: p, line: 1, column: 1 }),
    hostPathExists: (p) => !p.startsWith("/missing"),
    ...extra,
  };
}

const names = (policy: Policy, extra?: Partial<CompileContext>) => compileOps(ctx(policy, extra)).map((o) => OpType[o.type]);

t.test("a full sandbox runs its steps in the documented order", async (t) => {
  const seq = names({
    hostname: "box",
    mounts: [{ type: "bind", src: "/usr" }, { type: "tmpfs", dst: "/tmp", size: "64M", mode: "1777" }, { type: "proc", dst: "/proc" }],
    limits: { time: 5, rlimits: { nofile: 64 } },
    newSession: true,
    capabilities: { keep: ["CAP_NET_BIND_SERVICE"] },
  });
  t.same(seq, [
    "TimeLimit", "UnshareUser", "SetgroupsDeny", "UidMap", "GidMap", "Unshare", "ForkPidNs", "MountPrivate", "RootTmpfs",
    "Bind", "Tmpfs", "Proc", "PivotRoot", "Hostname", "LoopbackUp", "Spawn", "Setsid", "Rlimit", "Chdir", "LockMounts",
    "SetIds", "CloseFds", "Caps", "NoNewPrivs", "Seccomp", "Env", "Exec",
  ]);
});

t.test("maps put the caller at the inside ids", async (t) => {
  const ops = compileOps(ctx({ uid: 5, gid: 6 }));
  const uidMap = ops.find((o) => o.type === OpType.UidMap)!;
  const gidMap = ops.find((o) => o.type === OpType.GidMap)!;
  t.same(uidMap.items, ["5 1000 1\n"]);
  t.same(gidMap.items, ["6 1001 1\n"]);
});

t.test("shared namespaces drop their steps", async (t) => {
  const seq = names({ namespaces: { pid: false, net: false, uts: false, mount: false } });
  for (const gone of ["ForkPidNs", "Spawn", "LoopbackUp", "Hostname", "MountPrivate", "PivotRoot", "LockMounts"]) {
    t.notOk(seq.includes(gone), `${gone} absent`);
  }
  const unshare = compileOps(ctx({ namespaces: { pid: false, net: false, uts: false, mount: false } })).find((o) => o.type === OpType.Unshare)!;
  t.same(unshare.items, [0x08000000n | 0x02000000n], "only ipc and cgroup left");
});

t.test("an empty seccomp program loads no filter", async (t) => {
  t.notOk(names({}, { seccompProgram: Buffer.alloc(0) }).includes("Seccomp"));
});

t.test("environment: a recipe the helper applies to its own environ (clear, keep, unset, set)", async (t) => {
  const envOp = (policy: Policy) => compileOps(ctx(policy)).find((o) => o.type === OpType.Env)!;
  const cleared = envOp({ env: { clear: true, keep: ["PATH"], set: { A: "1" } } });
  t.equal(cleared.flags, ENV_CLEAR);
  t.same(cleared.items, ["+PATH", "A=1"]);
  const kept = envOp({ env: { unset: ["SECRET"] } });
  t.equal(kept.flags, 0);
  t.same(kept.items, ["-SECRET"]);
  t.notOk(kept.items.some((i) => String(i).includes("/home/u")), "no caller value is baked into the plan");
});

t.test("settings that need a namespace the policy shares are errors, not silently dropped", async (t) => {
  const err = (policy: Policy) => {
    try {
      compileOps(ctx(policy));
      return "no error";
    } catch (e) {
      return (e as Error).message;
    }
  };
  t.match(err({ namespaces: { uts: false }, hostname: "x" }), /#\/hostname: a hostname needs the UTS namespace/);
  t.match(err({ namespaces: { user: false }, uid: 5 }), /#\/uid: uid needs the user namespace/);
  t.match(err({ namespaces: { pid: false }, limits: { time: 5 } }), /#\/limits\/time: a time limit needs the PID namespace/);
});

t.test("proc with the host's PID namespace binds the host's /proc", async (t) => {
  const ops = compileOps(ctx({ namespaces: { pid: false }, mounts: [{ type: "proc", dst: "/proc" }] }));
  t.notOk(ops.some((o) => o.type === OpType.Proc));
  t.same(ops.find((o) => o.type === OpType.Bind)!.items, ["/proc", "/proc"]);
});

t.test("bad values name their pointer", async (t) => {
  const err = (policy: Policy) => {
    try {
      compileOps(ctx(policy));
    } catch (e) {
      return e instanceof NsjailError ? e.message : `not an NsjailError: ${String(e)}`;
    }
    return "no error";
  };
  t.match(err({ mounts: [{ type: "bind", src: "/missing/x" }] }), /#\/mounts\/0\/src: bind source \/missing\/x does not exist/);
  t.equal(err({ mounts: [{ type: "bind", src: "/missing/x", optional: true }] }), "no error");
  t.match(err({ mounts: [{ type: "tmpfs", dst: "/t", size: "64MB" }] }), /#\/mounts\/0\/size: size "64MB" is not like/);
  t.match(err({ mounts: [{ type: "dir", dst: "/d", mode: "999" }] }), /#\/mounts\/0\/mode: mode "999" is not an octal mode/);
  t.match(err({ capabilities: { keep: ["CAP_NOPE"] } }), /#\/capabilities\/keep\/0: unknown capability "CAP_NOPE"/);
  t.match(err({ namespaces: { mount: false }, mounts: [{ type: "proc", dst: "/proc" }] }), /mounts need the mount namespace/);
});

t.test("capabilities kept become a mask", async (t) => {
  const caps = compileOps(ctx({ capabilities: { keep: ["net_bind_service", "CAP_SYS_ADMIN"] } })).find((o) => o.type === OpType.Caps)!;
  t.same(caps.items, [(1n << 10n) | (1n << 21n)]);
});

t.test("mounts are locked in a nested namespace only when capabilities are kept", async (t) => {
  t.notOk(names({}).includes("LockMounts"));
  t.ok(names({ capabilities: { keep: ["CAP_SYS_ADMIN"] } }).includes("LockMounts"));
});
