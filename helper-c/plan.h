/* plan.h — the binary plan: the only input the helper trusts, and only after validating it.
 *
 * Wire format (all integers little-endian; src/plan/wire.ts is the other side, keep in step):
 *
 *   header (32 bytes)
 *     u8  magic[8]     "NSJTPLAN"
 *     u32 version      PLAN_VERSION
 *     u32 total_len    bytes in the whole plan, header included
 *     u32 op_count     number of ops that follow
 *     u32 flags        reserved, must be 0
 *     u32 reserved[2]  must be 0
 *   op_count ops, each starting on a 4-byte boundary:
 *     u16 type         enum op_type
 *     u16 flags        per-type flag bits (see below); unknown bits are an error
 *     u32 payload_len  bytes of payload that follow this 8-byte op header
 *     payload          a sequence of items, each: u32 len, then len bytes, then
 *                      zero padding to the next 4-byte boundary (padding not counted in len)
 *   total_len must equal the end of the last op exactly (no trailing bytes).
 *
 * Item kinds: a "u64" item has len 8; a "str" item has 0 <= len <= PLAN_MAX_STR and no NUL byte (the str items
 * of OP_ENV, OP_EXEC and OP_MANIFEST: up to PLAN_MAX_ARG, the kernel's limit for one argv or env string);
 * a "bytes" item is any length up to PLAN_MAX_BYTES. Item 0 of every op is its origin: a str such as
 * "build.json#/mounts/3" naming where in the policy the op came from (may be empty); the helper
 * prefixes its error messages with it. The remaining items per op are listed below as
 * (origin, ...). Ops whose items are marked "..." take a variable count of str items.
 */
#ifndef NSJAIL_TS_PLAN_H
#define NSJAIL_TS_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define PLAN_MAGIC "NSJTPLAN"
#define PLAN_VERSION 1u
#define PLAN_HEADER_LEN 32u
#define PLAN_OP_HEADER_LEN 8u
#define PLAN_MAX_LEN (64u << 20)   /* 64 MiB: far above any real policy, below memory trouble */
#define PLAN_MAX_OPS 100000u
#define PLAN_MAX_ITEMS 65536u
#define PLAN_MAX_STR 4096u         /* PATH_MAX */
#define PLAN_MAX_ARG (128u << 10)  /* MAX_ARG_STRLEN */
#define PLAN_MAX_BYTES (16u << 20)

enum op_type {
	OP_UNSHARE_USER = 1,   /* (origin) unshare(CLONE_NEWUSER) */
	OP_SETGROUPS_DENY = 2, /* (origin) write "deny" to /proc/self/setgroups */
	OP_UID_MAP = 3,        /* (origin, str map) write map text to /proc/self/uid_map */
	OP_GID_MAP = 4,        /* (origin, str map) write map text to /proc/self/gid_map */
	OP_UNSHARE = 5,        /* (origin, u64 clone_flags) unshare the other namespaces */
	OP_FORK_PID_NS = 6,    /* (origin) fork: the caller waits and relays signals, the child is PID 1 */
	OP_MOUNT_PRIVATE = 7,  /* (origin) make / recursively private */
	OP_ROOT_TMPFS = 8,     /* (origin, u64 size_bytes_or_0) tmpfs that becomes the new root */
	OP_ROOT_DIR = 9,       /* (origin, str host_dir) bind a directory as the base of the new root */
	OP_BIND = 10,          /* (origin, str src, str dst) flags: BIND_* */
	OP_TMPFS = 11,         /* (origin, str dst, u64 size_bytes_or_0, u64 mode) flags: MNT_RO */
	OP_PROC = 12,          /* (origin, str dst) */
	OP_DEV = 13,           /* (origin, str dst) minimal /dev */
	OP_MQUEUE = 14,        /* (origin, str dst) */
	OP_DIR = 15,           /* (origin, str dst, u64 mode) */
	OP_SYMLINK = 16,       /* (origin, str target, str dst) */
	OP_FILE = 17,          /* (origin, str dst, bytes content, u64 mode) flags: MNT_RO */
	OP_REMOUNT_RO = 18,    /* (origin, str dst) */
	OP_PIVOT_ROOT = 19,    /* (origin) pivot_root into the new root, detach the old one */
	OP_HOSTNAME = 20,      /* (origin, str name) */
	OP_LOOPBACK_UP = 21,   /* (origin) bring "lo" up */
	OP_SPAWN = 22,         /* (origin) fork the command: the caller stays as init (reaps, relays) */
	OP_SETSID = 23,        /* (origin) new session: no controlling terminal (TIOCSTI) */
	OP_RLIMIT = 24,        /* (origin, u64 resource, u64 soft, u64 hard); RLIM_INFINITY = ~0 */
	OP_CHDIR = 25,         /* (origin, str dir) */
	OP_LOCK_MOUNTS = 26,   /* (origin) nested unshare(USER|NS) with identity maps: locks every mount */
	OP_SET_IDS = 27,       /* (origin, u64 uid, u64 gid) setresgid/setresuid inside */
	OP_CLOSE_FDS = 28,     /* (origin) close every fd above 2 */
	OP_CAPS = 29,          /* (origin, u64 keep_mask) drop all capabilities not in the mask */
	OP_NO_NEW_PRIVS = 30,  /* (origin) PR_SET_NO_NEW_PRIVS */
	OP_SECCOMP = 31,       /* (origin, bytes sock_filter[]) len % 8 == 0, <= 4096 insns */
	OP_ENV = 32,           /* (origin, str item ...) a recipe for the command's environment, applied to the
	                          helper's own at exec time so the plan does not carry the caller's values: start
	                          from the helper's environment (from nothing with ENV_CLEAR), then in order
	                          "+NAME" copies NAME from the helper's environment if it has it, "-NAME" removes
	                          NAME, "NAME=VALUE" sets it. NAME is non-empty and has no '=' */
	OP_EXEC = 33,          /* (origin, str argv0, str argv1 ...) execvpe with OP_ENV's PATH */
	OP_OVERLAY = 34,       /* (origin, str dst, str upper, str work, str lower1, str lower2 ...)
	                          flags: OVERLAY_*; upper/work empty for a read-only or tmp overlay */
	OP_BIND_FD = 35,       /* (origin, u64 fd, str dst) bind an inherited fd's file; flags: BIND_* */
	OP_CHMOD = 36,         /* (origin, str path, u64 mode) */
	OP_JOIN_CGROUP = 37,   /* (origin, str cgroup_dir) write own pid to cgroup.procs; before UNSHARE_USER */
	OP_TIME_LIMIT = 38,    /* (origin, u64 seconds, u64 grace_seconds) enforced by the FORK_PID_NS parent:
	                          SIGTERM to the sandbox, SIGKILL after grace, exit EXIT_TIMEOUT */
	OP_MANIFEST = 39,      /* (origin, str record ...) what the compiler depended on, one text record per item;
	                          ignored when the plan runs, re-checked by the front end before it runs a cached
	                          plan (records are described in helper-c/manifest.c) */
	OP_CGROUP_REMOVE = 40, /* (origin, str leave_dir, str cgroup_dir) after join-cgroup: once the sandbox has ended,
	                          the FORK_PID_NS parent moves back to leave_dir and removes cgroup_dir */
	OP_STATUS = 41,        /* (origin, u64 fd, str path) flags: STATUS_FD; JSON status lines (status.c) to the fd
	                          and/or the file at path (empty: none), written by the FORK_PID_NS parent */
	OP_NAME = 42,          /* (origin, str registry_dir, str name, bytes info) lock the registry entry NAME for the
	                          sandbox's life; its content is the started line, then info (status.c) */
	OP_JOIN_NS = 43,       /* (origin, u64 pid) enter the namespaces and the root of a running sandbox's outer
	                          helper process (pid), user namespace first; replaces unshare-user/unshare */
	OP_ARGV0 = 44,         /* (origin, str argv0) data: the command's argv[0], while OP_EXEC's first item (or the
	                          command after --) stays the program looked up (bwrap --argv0) */
	OP_BLOCK_FD = 45,      /* (origin, u64 fd) wait until the fd has data or reaches EOF, then close it */
	OP_INFO_FD = 46,       /* (origin, u64 fd) write bwrap's --info-fd JSON ({"child-pid": N, ...}) to the fd once
	                          the sandbox's first process exists, then close it */
	OP_SYNC_FD = 47,       /* (origin, u64 fd) data: init keeps the fd open for the sandbox's life (the command
	                          itself with EXEC_AS_PID1); needs a spawn op then */
	OP_LOCK_FILE = 48,     /* (origin, str path) open path inside the new root and take a read lock (F_SETLK)
	                          that init holds for the sandbox's life; after pivot-root, before spawn */
	OP_LEVEL_PREFIX = 49,  /* (origin) data: the helper's error lines start with a syslog level, "<3>" */
	OP_DISABLE_USERNS = 50, /* (origin) write 1 to user.max_user_namespaces of the sandbox's user namespace; the
	                           later lock-mounts op then makes the one nested namespace that limit allows */
	OP_ASSERT_NO_USERNS = 51, /* (origin) fail unless unshare(CLONE_NEWUSER) is refused */
	OP_SETNS_USER = 52,    /* (origin, u64 fd) enter the existing user namespace the fd names (bwrap --userns) in
	                          place of unshare-user: it has its maps already, none are written; closes the fd */
	OP_SETNS_PID = 53,     /* (origin, u64 fd) the next fork's child is born in the PID namespace the fd names
	                          (bwrap --pidns); before fork-pid-ns, not with an unshare of the PID namespace */
	OP_USERNS2 = 54,       /* (origin, u64 fd) after the mounts are built, enter this user namespace (a descendant
	                          of the one the sandbox was set up in: bwrap --userns2); closes the fd */
	OP_USERNS_BLOCK_FD = 55, /* (origin, u64 fd) after the unshares, in place of setgroups and the maps: write the
	                          info-fd object with this process's pid, then wait until the fd has data or EOF, so
	                          that an outside process can write the maps first (bwrap --userns-block-fd) */
	OP_TYPE_MAX = 55
};

/* OP_BIND flags */
#define BIND_RW 0x1        /* read-write (default is read-only) */
#define BIND_TRY 0x2       /* a missing source is skipped, not an error */
#define BIND_DEV 0x4       /* allow device nodes (no nodev) */
#define BIND_NONRECURSIVE 0x8
/* OP_TMPFS / OP_FILE flags */
#define MNT_RO 0x1
/* OP_FORK_PID_NS flags */
#define FORK_DIE_WITH_PARENT 0x1
/* OP_OVERLAY flags */
#define OVERLAY_TMP 0x1    /* upper and work on a fresh tmpfs (bwrap --tmp-overlay) */
#define OVERLAY_RO 0x2     /* no upper layer (bwrap --ro-overlay) */
/* OP_ENV flags */
#define ENV_CLEAR 0x1      /* start from an empty environment */
/* OP_EXEC flags */
#define EXEC_AS_PID1 0x1   /* no init: the command itself is PID 1 of the new PID namespace (bwrap --as-pid-1) */
/* OP_STATUS flags */
#define STATUS_FD 0x1      /* item 1 is an inherited fd to write to */

/* Exit codes of nsjail-ts's own failures (documented in man/nsjail-ts.1, mirrored in src/errors.ts). */
#define EXIT_USAGE 2
#define EXIT_POLICY 122      /* the plan itself is invalid */
#define EXIT_TIMEOUT 124
#define EXIT_SETUP 125       /* a setup step failed */
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

#endif
