# Bench helper: compiles a Docker profile (as runc would, for amd64, no capabilities) or an
# nsjail-ts rule list with libseccomp (Debian's python3-seccomp) and writes the BPF.
# usage: seccomp-libseccomp.py docker PROFILE.json OUT.bpf | rules SPEC.json OUT.bpf
import json
import sys

import seccomp

OPS = {"SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_LT": seccomp.LT, "SCMP_CMP_LE": seccomp.LE,
       "SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_GE": seccomp.GE, "SCMP_CMP_GT": seccomp.GT,
       "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ}


def docker_action(name, errno_ret):
    return {"SCMP_ACT_ALLOW": seccomp.ALLOW, "SCMP_ACT_ERRNO": seccomp.ERRNO(errno_ret or 1),
            "SCMP_ACT_KILL": seccomp.KILL, "SCMP_ACT_KILL_PROCESS": seccomp.KILL_PROCESS,
            "SCMP_ACT_LOG": seccomp.LOG, "SCMP_ACT_TRAP": seccomp.TRAP}[name]


def new_filter(default):
    f = seccomp.SyscallFilter(defaction=default)
    f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)  # libseccomp's binary tree
    f.add_arch(seccomp.Arch.X86)
    f.add_arch(seccomp.Arch.X32)
    return f


def docker(path):
    p = json.load(open(path))
    f = new_filter(docker_action(p["defaultAction"], p.get("defaultErrnoRet")))
    for e in p["syscalls"]:
        inc, exc = e.get("includes") or {}, e.get("excludes") or {}
        if inc.get("caps") or (inc.get("arches") and "amd64" not in inc["arches"]):
            continue
        if "amd64" in (exc.get("arches") or []):
            continue
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0)) for a in e.get("args") or []]
        for name in e["names"]:
            try:
                f.add_rule(docker_action(e["action"], e.get("errnoRet")), name, *args)
            except Exception:
                pass  # runc skips names this libseccomp does not know
    return f


def rules(path):
    spec = json.load(open(path))
    f = new_filter(seccomp.ALLOW)
    for r in spec:
        args = [seccomp.Arg(i, OPS[op], a, b) for i, op, a, b in r["args"]]
        try:
            f.add_rule(seccomp.ERRNO(r["errno"]), r["syscall"], *args)
        except Exception:
            pass  # e.g. a name this ABI lacks
    return f


f = docker(sys.argv[2]) if sys.argv[1] == "docker" else rules(sys.argv[2])
with open(sys.argv[3], "wb") as out:
    f.export_bpf(out)
