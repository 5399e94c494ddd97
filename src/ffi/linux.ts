// The koffi-backed Sys: libc's memfd_create, write, lseek, fcntl, execve and syscall.

import { createRequire } from "node:module";
import type { Sys } from "./sys.js";

type KoffiFn = (...args: unknown[]) => unknown;
interface KoffiLib {
  func(signature: string): KoffiFn;
}
interface Koffi {
  load(path: string): KoffiLib;
  errno(): number;
}

let cached: Sys | undefined;

/** Load libc once; koffi is loaded lazily so that commands that need no FFI start faster. */
export function linuxSys(): Sys {
  if (cached) return cached;
  const koffi = createRequire(import.meta.url)("koffi") as Koffi;
  const libc = koffi.load("libc.so.6");
  const memfd_create = libc.func("int memfd_create(const char *name, unsigned int flags)");
  const write = libc.func("long write(int fd, const uint8_t *buf, size_t count)");
  const lseek = libc.func("long lseek(int fd, long offset, int whence)");
  const fcntl = libc.func("int fcntl(int fd, int cmd, ...)");
  const execve = libc.func("int execve(const char *path, const char **argv, const char **envp)");
  const syscall = libc.func("long syscall(long nr, ...)");
  const strerror = libc.func("const char *strerror(int errnum)");
  const F_SETFD = 2;

  const check = (what: string, r: number): number => {
    if (r < 0) {
      const e = koffi.errno();
      throw new Error(`${what}: ${String(strerror(e))}`);
    }
    return r;
  };
  cached = {
    memfdCreate: (name) => check(`memfd_create ${name}`, Number(memfd_create(name, 0))),
    writeAll(fd, data) {
      let off = 0;
      while (off < data.length) off += check("write plan", Number(write(fd, data.subarray(off), data.length - off)));
    },
    rewind: (fd) => void check("lseek plan", Number(lseek(fd, 0, 0))),
    keepAcrossExec: (fd) => void check(`fcntl ${fd}`, Number(fcntl(fd, F_SETFD, "int", 0))),
    execve(path, argv, env) {
      execve(path, [...argv, null], [...env, null]);
      return koffi.errno();
    },
    syscall(nr, ...args) {
      const typed: unknown[] = args.flatMap((a): unknown[] => (a === null || Buffer.isBuffer(a) ? ["void *", a] : ["long", a]));
      const r = Number(syscall(nr, ...typed));
      return [r, r < 0 ? koffi.errno() : 0];
    },
    strerror: (errno) => String(strerror(errno)),
  };
  return cached;
}
