// bubblewrap's flags for namespaces that already exist, each an open /proc/PID/ns link passed as an fd
// (--userns, --userns2, --pidns), and for user namespace maps written from outside (--userns-block-fd).

import type { FlagSpec, RunRequest } from "./types.js";
import { bwrapFlag, bwrapState, layer, openFd } from "./bwrap-state.js";

type Role = "userns" | "userns2" | "pidns" | "usernsBlock";

function nsFd(name: string, role: Role, help: string): FlagSpec {
  return bwrapFlag({
    names: [name],
    arity: 1,
    values: "FD",
    help,
    apply: (r: RunRequest, [fd]) => {
      bwrapState(r).nsFds[role] = true;
      layer(r, name, [fd!], { fds: { [role]: openFd(name, fd!) } });
    },
  });
}

export const BWRAP_USERNS_FLAGS: FlagSpec[] = [
  nsFd("--userns", "userns", "enter the existing user namespace FD (an open /proc/PID/ns/user) instead of making one; its maps stay as they are (not with --unshare-user)"),
  nsFd("--userns2", "userns2", "once the mounts are built, switch into the user namespace FD, a descendant of the one the sandbox was set up in"),
  nsFd("--pidns", "pidns", "the sandbox's processes are born in the existing PID namespace FD (an open /proc/PID/ns/pid); usually with --userns"),
  nsFd("--userns-block-fd", "usernsBlock", "with --unshare-user and --info-fd: write no maps, but wait on FD once the namespaces exist, so that an outside process can write them"),
];
