# Compiles filter specs with libseccomp (Debian's python3-seccomp) and writes each one's BPF.
# stdin: JSON list of {arches, default, badarch, rules: [{action, syscall, args: [[i, op, a, b]]}]},
# actions as [kind, data]; argv[1]: output directory, one <n>.bpf per spec. Prints a JSON list of
# per-spec errors (null when the spec compiled).
import json
import os
import sys

import seccomp

OPS = {"==": seccomp.EQ, "!=": seccomp.NE, "<": seccomp.LT, "<=": seccomp.LE,
       ">": seccomp.GT, ">=": seccomp.GE, "&==": seccomp.MASKED_EQ}
ARCH = {"x86_64": seccomp.Arch.X86_64, "x32": seccomp.Arch.X32, "i386": seccomp.Arch.X86,
        "aarch64": seccomp.Arch.AARCH64}


def action(a):
    kind, data = a
    return {"allow": seccomp.ALLOW, "log": seccomp.LOG, "trap": seccomp.TRAP,
            "kill-thread": seccomp.KILL, "kill-process": seccomp.KILL_PROCESS,
            "errno": seccomp.ERRNO(data), "trace": seccomp.TRACE(data)}[kind]


def build(spec, path):
    f = seccomp.SyscallFilter(defaction=action(spec["default"]))
    f.set_attr(seccomp.Attr.ACT_BADARCH, action(spec["badarch"]))
    if spec.get("optimize"):
        f.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
    for a in spec["arches"]:
        if a != "x86_64":
            f.add_arch(ARCH[a])
    for r in spec["rules"]:
        args = [seccomp.Arg(i, OPS[op], a, b) for i, op, a, b in r["args"]]
        f.add_rule(action(r["action"]), r["syscall"], *args)
    with open(path, "wb") as out:
        f.export_bpf(out)


errors = []
for n, spec in enumerate(json.load(sys.stdin)):
    try:
        build(spec, os.path.join(sys.argv[1], "%d.bpf" % n))
        errors.append(None)
    except Exception as e:  # reported per spec; the test decides what to do
        errors.append(str(e))
print(json.dumps(errors))
