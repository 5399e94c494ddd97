// The plan's operation codes and flag bits: the contract with helper-c/plan.h (keep in step).

export const PLAN_MAGIC = "NSJTPLAN";
export const PLAN_VERSION = 1;
export const PLAN_HEADER_LEN = 32;
export const PLAN_OP_HEADER_LEN = 8;
export const PLAN_MAX_STR = 4096;
/** Str items of Env, Exec and Manifest ops may be this long (the kernel's MAX_ARG_STRLEN). */
export const PLAN_MAX_ARG = 128 * 1024;

export enum OpType {
  UnshareUser = 1,
  SetgroupsDeny = 2,
  UidMap = 3,
  GidMap = 4,
  Unshare = 5,
  ForkPidNs = 6,
  MountPrivate = 7,
  RootTmpfs = 8,
  RootDir = 9,
  Bind = 10,
  Tmpfs = 11,
  Proc = 12,
  Dev = 13,
  Mqueue = 14,
  Dir = 15,
  Symlink = 16,
  File = 17,
  RemountRo = 18,
  PivotRoot = 19,
  Hostname = 20,
  LoopbackUp = 21,
  Spawn = 22,
  Setsid = 23,
  Rlimit = 24,
  Chdir = 25,
  LockMounts = 26,
  SetIds = 27,
  CloseFds = 28,
  Caps = 29,
  NoNewPrivs = 30,
  Seccomp = 31,
  Env = 32,
  Exec = 33,
  Overlay = 34,
  BindFd = 35,
  Chmod = 36,
  JoinCgroup = 37,
  TimeLimit = 38,
  Manifest = 39,
  CgroupRemove = 40,
  Status = 41,
  Name = 42,
  JoinNs = 43,
  Argv0 = 44,
  BlockFd = 45,
  InfoFd = 46,
  SyncFd = 47,
  LockFile = 48,
  LevelPrefix = 49,
  DisableUserns = 50,
  AssertNoUserns = 51,
  SetnsUser = 52,
  SetnsPid = 53,
  Userns2 = 54,
  UsernsBlockFd = 55,
}

/** OP_BIND flags */
export const BIND_RW = 0x1;
export const BIND_TRY = 0x2;
export const BIND_DEV = 0x4;
export const BIND_NONRECURSIVE = 0x8;
/** OP_TMPFS / OP_FILE flags */
export const MNT_RO = 0x1;
/** OP_OVERLAY flags */
export const OVERLAY_TMP = 0x1;
export const OVERLAY_RO = 0x2;
/** OP_ENV flags */
export const ENV_CLEAR = 0x1;
/** OP_EXEC flags */
export const EXEC_AS_PID1 = 0x1;
/** OP_FORK_PID_NS flags */
export const FORK_DIE_WITH_PARENT = 0x1;
/** OP_STATUS flags */
export const STATUS_FD = 0x1;

/** One item of an op's payload: a number is a u64 item, a string a str item, a Buffer a bytes item. */
export type Item = bigint | string | Buffer;

/** One setup operation, in the order the helper will run it. */
export interface Op {
  type: OpType;
  flags: number;
  /** Where in the policy this op came from, e.g. "build.json#/mounts/3"; the helper's errors start with it. */
  origin: string;
  items: Item[];
}

export function op(type: OpType, origin: string, items: Item[] = [], flags = 0): Op {
  return { type, flags, origin, items };
}
