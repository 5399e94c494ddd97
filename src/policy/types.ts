// The policy as TypeScript sees it after loading, validation (policies/schema.json) and resolution.

/** Namespace names; each is unshared unless the policy sets it to false ("share"). */
export const NAMESPACES = ["user", "mount", "pid", "ipc", "uts", "net", "cgroup"] as const;
export type NamespaceName = (typeof NAMESPACES)[number];

export interface BindMount {
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
export interface TmpfsMount { type: "tmpfs"; dst: string; size?: string | number; mode?: string | number; ro?: boolean }
export interface ProcMount { type: "proc"; dst: string }
export interface DevMount { type: "dev"; dst: string }
export interface MqueueMount { type: "mqueue"; dst: string }
export interface DirMount { type: "dir"; dst: string; mode?: string | number }
export interface SymlinkMount { type: "symlink"; target: string; dst: string }
export interface FileMount { type: "file"; dst: string; content: string; mode?: string | number; ro?: boolean }
export interface RemountRo { type: "remount-ro"; dst: string }
export type Mount = BindMount | TmpfsMount | ProcMount | DevMount | MqueueMount | DirMount | SymlinkMount | FileMount | RemountRo;

export type RlimitName = "as" | "cpu" | "fsize" | "nofile" | "nproc" | "core" | "stack" | "memlock" | "msgqueue";

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

export interface Policy {
  description?: string;
  namespaces?: Partial<Record<NamespaceName, boolean>>;
  /** Ids the command runs as inside; default 0/0 (the caller maps to root inside). */
  uid?: number;
  gid?: number;
  hostname?: string;
  cwd?: string;
  env?: { clear?: boolean; keep?: string[]; set?: Record<string, string>; unset?: string[] };
  /** A host directory that becomes the base of the new root instead of an empty tmpfs. */
  root?: string;
  mounts?: Mount[];
  limits?: { time?: number; rlimits?: Partial<Record<RlimitName, number | string>> };
  capabilities?: { keep?: string[] };
  seccomp?: SeccompPolicy;
  newSession?: boolean;
  dieWithParent?: boolean;
}
