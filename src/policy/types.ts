// The policy as TypeScript sees it after loading, validation (policies/schema.json) and resolution.

/** Namespace names; each is unshared unless the policy sets it to false ("share"). */
export const NAMESPACES = ["user", "mount", "pid", "ipc", "uts", "net", "cgroup"] as const;
export type NamespaceName = (typeof NAMESPACES)[number];

/** `description` and `$comment` are allowed in every object of a policy; nsjail-ts ignores both. */
export interface Documented {
  description?: string;
  $comment?: string;
}

export interface BindMount extends Documented {
  type: "bind";
  src: string;
  /** Defaults to src. */
  dst?: string;
  /** Read-write; binds are read-only unless this is true. */
  rw?: boolean;
  /** A missing source is skipped instead of an error. */
  optional?: boolean;
  /** Allow device nodes (bwrap's --dev-bind). */
  dev?: boolean;
}
export interface TmpfsMount extends Documented { type: "tmpfs"; dst: string; size?: string | number; mode?: string | number; ro?: boolean }
export interface ProcMount extends Documented { type: "proc"; dst: string }
export interface DevMount extends Documented { type: "dev"; dst: string }
export interface MqueueMount extends Documented { type: "mqueue"; dst: string }
export interface DirMount extends Documented { type: "dir"; dst: string; mode?: string | number }
export interface SymlinkMount extends Documented { type: "symlink"; target: string; dst: string }
export interface FileMount extends Documented { type: "file"; dst: string; content: string; mode?: string | number; ro?: boolean }
export interface RemountRo extends Documented { type: "remount-ro"; dst: string }
/** An overlayfs: `lower` directories (top first), writable through `upper`+`work` or a throwaway tmpfs (`tmp`). */
export interface OverlayMount extends Documented {
  type: "overlay";
  dst: string;
  lower: string[];
  upper?: string;
  work?: string;
  tmp?: boolean;
}
/** Change the mode of a path that exists inside by then (bwrap --chmod). */
export interface ChmodMount extends Documented { type: "chmod"; dst: string; mode: string | number }
/** Bind what an inherited file descriptor is open on (bwrap --bind-fd, --ro-bind-fd); read-only unless rw. */
export interface BindFdMount extends Documented { type: "bind-fd"; fd: number; dst: string; rw?: boolean }
export type Mount =
  | BindMount
  | BindFdMount
  | ChmodMount
  | TmpfsMount
  | ProcMount
  | DevMount
  | MqueueMount
  | DirMount
  | SymlinkMount
  | FileMount
  | RemountRo
  | OverlayMount;
export type MountType = Mount["type"];
export const MOUNT_TYPES: readonly MountType[] = [
  "bind",
  "tmpfs",
  "proc",
  "dev",
  "mqueue",
  "dir",
  "symlink",
  "file",
  "remount-ro",
  "overlay",
  "chmod",
  "bind-fd",
];

export type RlimitName = "as" | "cpu" | "fsize" | "nofile" | "nproc" | "core" | "stack" | "memlock" | "msgqueue";

/** Linux capability names in bit order (CAP_CHOWN is bit 0). */
export const CAPABILITIES = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
  "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
  "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
  "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
] as const;
export type CapabilityName = (typeof CAPABILITIES)[number];

/** cgroup v2 limits, applied when the caller's cgroup is delegated (see `required`). */
export interface CgroupLimits extends Documented {
  /** memory.max: bytes or a size like "512M". */
  memory?: string | number;
  /** memory.swap.max: bytes or a size like "512M". */
  memorySwap?: string | number;
  /** pids.max. */
  pids?: number;
  /** cpu.max as a number of CPUs (0.5 = half of one CPU). */
  cpu?: number;
  /** Fail instead of warning when no delegated cgroup is available. */
  required?: boolean;
}

export interface SeccompArg {
  index: number;
  op: "==" | "!=" | "<" | "<=" | ">" | ">=" | "&==";
  value: number | string;
  mask?: number | string;
}
export interface SeccompRule {
  action: string;
  syscalls: string[];
  args?: SeccompArg[];
  $comment?: string;
  description?: string;
}
export interface SeccompPolicy {
  /** Action for every syscall no rule matches. */
  default?: string;
  rules?: SeccompRule[];
  /** A Docker/OCI seccomp profile to import (path relative to the policy file). */
  profile?: string;
  /** A named filter from policies/ ("default" is policies/seccomp-default.json); "none" disables. */
  preset?: string;
}

export interface Policy extends Documented {
  /** Where editors find the schema; ignored by nsjail-ts. */
  $schema?: string;
  /** Presets (by name) or policy files (relative to this file) this policy builds on; resolved before loading. */
  extends?: string | string[];
  namespaces?: Partial<Record<NamespaceName, boolean>> & Documented;
  /** Ids the command runs as inside; default 0/0 (the caller maps to root inside). */
  uid?: number;
  gid?: number;
  hostname?: string;
  cwd?: string;
  env?: { clear?: boolean; keep?: string[]; set?: Record<string, string>; unset?: string[] } & Documented;
  /** A host directory that becomes the base of the new root instead of an empty tmpfs. */
  root?: string;
  mounts?: Mount[];
  /** time: wall-clock seconds; rlimits: a number, a size like "64M", or "unlimited" (soft = hard). */
  limits?: {
    time?: number;
    rlimits?: Partial<Record<RlimitName, number | string>> & Documented;
    cgroup?: CgroupLimits;
  } & Documented;
  capabilities?: { keep?: string[] } & Documented;
  seccomp?: SeccompPolicy;
  newSession?: boolean;
  dieWithParent?: boolean;
  /** Compiled seccomp programs (base64 of struct sock_filter arrays), loaded in order after the filter of `seccomp`. */
  seccompPrograms?: string[];
  /** argv[0] the command sees, instead of the program name that is looked up. */
  argv0?: string;
  /** No init: the command itself is PID 1 of the new PID namespace. */
  asPid1?: boolean;
  /** Files inside the sandbox on which init holds a read lock while the sandbox runs. */
  lockFiles?: string[];
  /** Inherited file descriptors with a role: info (JSON about the sandbox), sync (kept open), block (waited on),
   * and existing namespaces: userns (entered instead of a new one), userns2 (entered after the mounts), pidns
   * (the sandbox is born in it), usernsBlock (waited on so that an outside process writes the maps). */
  fds?: { info?: number; sync?: number; block?: number; userns?: number; userns2?: number; pidns?: number; usernsBlock?: number } & Documented;
  /** Keep the command from creating user namespaces (needs the user namespace). */
  disableUserns?: boolean;
  /** Fail unless creating a user namespace is refused inside. */
  assertUsernsDisabled?: boolean;
  /** nsjail-ts's own error lines start with a syslog level, "<3>". */
  levelPrefix?: boolean;
}

/**
 * A fragment applied over a policy, as command-line flags make them. `over`, when present, computes the
 * fragment from the policy merged so far (--cap-add/--cap-drop edit the policy's own keep list); `policy`
 * is then empty.
 */
export interface PolicyLayer {
  policy: Policy;
  label: string;
  over?: (merged: Policy) => Policy;
}
