// The plan's wire format: round trips, and every malformed byte string is refused with a reason.

import t from "tap";
import { decodePlan, encodePlan, PlanFormatError } from "../../src/plan/wire.js";
import { op, OpType, BIND_RW, PLAN_MAX_STR, STATUS_FD } from "../../src/plan/ops.js";
import { fdsNamed, fdsNamedBy } from "../../src/plan/fds.js";

const sample = [
  op(OpType.UnshareUser, "p.json#/namespaces/user"),
  op(OpType.UidMap, "p.json#/uid", ["0 1000 1\n"]),
  op(OpType.Bind, "p.json#/mounts/0", ["/usr", "/usr"], BIND_RW),
  op(OpType.Tmpfs, "", ["/tmp", 1n << 40n, 0o1777n]),
  op(OpType.File, "x", ["/etc/motd", Buffer.from([0, 1, 2, 255]), 0o644n]),
  op(OpType.Exec, "command line", ["sh", "-c", "echo héllo"]),
];

t.test("encode then decode gives the same ops", async (t) => {
  const plan = encodePlan(sample);
  t.equal(plan.length % 4, 0, "plan length is 4-byte aligned");
  t.equal(plan.toString("latin1", 0, 8), "NSJTPLAN");
  const back = decodePlan(plan);
  t.equal(back.length, sample.length);
  back.forEach((d, i) => {
    const o = sample[i]!;
    t.equal(d.type, o.type);
    t.equal(d.flags, o.flags);
    t.equal(d.origin, o.origin);
    t.same(
      d.items.map((b) => b.toString("hex")),
      o.items.map((it) => {
        if (typeof it === "bigint") {
          const b = Buffer.alloc(8);
          b.writeBigUInt64LE(it);
          return b.toString("hex");
        }
        return (typeof it === "string" ? Buffer.from(it) : it).toString("hex");
      }),
    );
  });
});

t.test("strings with NUL bytes cannot be encoded", async (t) => {
  t.throws(() => encodePlan([op(OpType.Hostname, "", ["a\0b"])]), /NUL byte/);
});

t.test("malformed plans are refused with a reason, never another exception", async (t) => {
  const good = encodePlan(sample);
  t.throws(() => decodePlan(good.subarray(0, 10)), /shorter than its header/);
  const badMagic = Buffer.from(good);
  badMagic[0] = 0x41;
  t.throws(() => decodePlan(badMagic), /bad magic/);
  const badVersion = Buffer.from(good);
  badVersion.writeUInt32LE(99, 8);
  t.throws(() => decodePlan(badVersion), /version 99/);
  t.throws(() => decodePlan(Buffer.concat([good, Buffer.alloc(4)])), /says \d+ bytes but has/);
  const badCount = Buffer.from(good);
  badCount.writeUInt32LE(sample.length - 1, 16);
  t.throws(() => decodePlan(badCount), /trailing bytes/);
  // Random corruption: every outcome is a decoded plan or a PlanFormatError.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(good);
    for (let k = 0; k < 1 + (rand() % 4); k++) b[rand() % b.length] = rand() & 0xff;
    try {
      decodePlan(b);
    } catch (e) {
      if (!(e instanceof PlanFormatError)) throw e;
      refused++;
    }
  }
  t.ok(refused > 0, `${refused} of 2000 corrupted plans refused, none crashed`);
});

t.test("strings are encoded as Buffer.from writes UTF-8, lone surrogates included", async (t) => {
  const strings = ["plain", "héllo wörld", "日本語", "😀 and 𝄞", "\ud800 lone high", "lone low \udc00", "\udc00\ud800", "end high \ud83d", "ß".repeat(2000)];
  const plan = encodePlan(strings.map((s) => op(OpType.Exec, s, [s])));
  decodePlan(plan).forEach((o, i) => {
    const want = Buffer.from(strings[i]!, "utf8");
    t.ok(o.items[0]!.equals(want), `item ${JSON.stringify(strings[i]!.slice(0, 20))}`);
    t.equal(o.origin, want.toString("utf8"), "origin");
  });
});

t.test("a string limit counts bytes, and a NUL anywhere is refused", async (t) => {
  const twoByte = "é".repeat(PLAN_MAX_STR / 2); // exactly the limit in bytes
  t.doesNotThrow(() => encodePlan([op(OpType.Hostname, "x", [twoByte])]));
  t.throws(() => encodePlan([op(OpType.Hostname, "x", [`${twoByte}a`])]), PlanFormatError);
  t.throws(() => encodePlan([op(OpType.Hostname, "x", ["a\0b"])]), /NUL/);
  t.throws(() => encodePlan([op(OpType.Hostname, "x\0", ["a"])]), /NUL/);
  t.doesNotThrow(() => encodePlan([op(OpType.Exec, "x", ["a".repeat(PLAN_MAX_STR + 1)])]), "command lines may be longer");
});

t.test("the fds a plan names are the same read from its ops or from its bytes", async (t) => {
  const ops = [
    op(OpType.InfoFd, "i", [7n]),
    op(OpType.BindFd, "b", [9n, "/x"]),
    op(OpType.Status, "s", [11n], STATUS_FD),
    op(OpType.Status, "file", [0n, "/tmp/status"]), // a status file, no fd
    op(OpType.SyncFd, "y", [7n]),
    ...sample,
  ];
  const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);
  t.same(sorted(fdsNamed(ops)), [7, 9, 11]);
  t.same(sorted(fdsNamedBy(encodePlan(ops))), [7, 9, 11]);
});
