// The plan's wire format: round trips, and every malformed byte string is refused with a reason.

import t from "tap";
import { decodePlan, encodePlan, PlanFormatError } from "../../src/plan/wire.js";
import { op, OpType, BIND_RW } from "../../src/plan/ops.js";

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
