// bubblewrap's namespace flags: --unshare-*, --share-net, --uid, --gid, --hostname.

import { existsSync } from "node:fs";
import { usageError } from "../../errors.js";
import type { NamespaceName } from "../../policy/types.js";
import type { FlagSpec, RunRequest } from "./types.js";
import { bwrapFlag, bwrapState, layer, wholeNumber } from "./bwrap-state.js";

/** Turn namespaces on or off in a layer of their own, so `explain` names the flag for each. */
function setNamespaces(req: RunRequest, flag: string, ns: Partial<Record<NamespaceName, boolean>>): void {
  Object.assign(bwrapState(req).ns, ns);
  layer(req, flag, [], { namespaces: ns });
}

function unshare(name: string, ns: NamespaceName, help: string): FlagSpec {
  return bwrapFlag({ names: [name], arity: 0, help, apply: (r) => setNamespaces(r, name, { [ns]: true }) });
}

/** bwrap's "-try" skips a namespace the kernel lacks; /proc/self/ns/cgroup tells, as it does for bwrap. */
const kernelHasCgroupNs = (): boolean => existsSync("/proc/self/ns/cgroup");

export const BWRAP_NS_FLAGS: FlagSpec[] = [
  bwrapFlag({
    names: ["--unshare-all"],
    arity: 0,
    help: "new user, IPC, PID, network, UTS and cgroup namespaces (as the -try forms for user and cgroup)",
    apply: (r) =>
      setNamespaces(r, "--unshare-all", { user: true, ipc: true, pid: true, net: true, uts: true, ...(kernelHasCgroupNs() ? { cgroup: true } : {}) }),
  }),
  bwrapFlag({
    names: ["--share-net"],
    arity: 0,
    help: "keep the host's network namespace, overriding an earlier --unshare-all or --unshare-net",
    apply: (r) => setNamespaces(r, "--share-net", { net: false }),
  }),
  // Rootless, the user namespace is always needed; the -try form therefore means the same.
  unshare("--unshare-user", "user", "new user namespace (always, when unprivileged)"),
  unshare("--unshare-user-try", "user", "new user namespace if possible (always possible rootless, so the same as --unshare-user)"),
  unshare("--unshare-ipc", "ipc", "new IPC namespace"),
  unshare("--unshare-pid", "pid", "new PID namespace: the command runs under a small init as PID 1"),
  unshare("--unshare-net", "net", "new network namespace with only a loopback interface, up"),
  unshare("--unshare-uts", "uts", "new UTS namespace (own hostname)"),
  bwrapFlag({
    names: ["--unshare-cgroup"],
    arity: 0,
    help: "new cgroup namespace",
    apply: (r) => {
      if (!kernelHasCgroupNs()) throw usageError("--unshare-cgroup: this kernel has no cgroup namespaces (use --unshare-cgroup-try to go without)");
      setNamespaces(r, "--unshare-cgroup", { cgroup: true });
    },
  }),
  bwrapFlag({
    names: ["--unshare-cgroup-try"],
    arity: 0,
    help: "new cgroup namespace if the kernel has them, else nothing",
    apply: (r) => {
      if (kernelHasCgroupNs()) setNamespaces(r, "--unshare-cgroup-try", { cgroup: true });
    },
  }),
  bwrapFlag({
    names: ["--uid"],
    arity: 1,
    values: "UID",
    help: "the user id inside the sandbox (bwrap mode: the caller's own by default)",
    apply: (r, [v]) => layer(r, "--uid", [v!], { uid: wholeNumber("--uid", "uid", v!) }),
  }),
  bwrapFlag({
    names: ["--gid"],
    arity: 1,
    values: "GID",
    help: "the group id inside the sandbox (bwrap mode: the caller's own by default)",
    apply: (r, [v]) => layer(r, "--gid", [v!], { gid: wholeNumber("--gid", "gid", v!) }),
  }),
  bwrapFlag({
    names: ["--hostname"],
    arity: 1,
    values: "NAME",
    help: "the hostname inside (needs the UTS namespace: --unshare-uts in bwrap mode)",
    apply: (r, [v]) => {
      // sethostname(2) takes up to 64 bytes.
      if (v === "" || Buffer.byteLength(v!) > 64) throw usageError(`--hostname: ${JSON.stringify(v)} is not 1 to 64 bytes long`);
      bwrapState(r).hostname = v!;
      layer(r, "--hostname", [v!], { hostname: v! });
    },
  }),
];
