// The few syscalls Node lacks, as an interface: the real one is koffi-backed (linux.ts); tests may fake it.

export interface Sys {
  /** An anonymous in-memory file (memfd_create); returns its fd. */
  memfdCreate(name: string): number;
  /** Write all of a buffer to an fd. */
  writeAll(fd: number, data: Buffer): void;
  /** Rewind an fd to offset 0. */
  rewind(fd: number): void;
  /** Clear FD_CLOEXEC so the fd survives execve. */
  keepAcrossExec(fd: number): void;
  /** Replace this process with another program; returns only on failure, with the errno. */
  execve(path: string, argv: string[], env: string[]): number;
  /** Raw syscall with integer/pointer arguments, for probes; returns [result, errno]. */
  syscall(nr: number, ...args: (number | bigint | null | Buffer)[]): [number, number];
  /** The text of an errno value. */
  strerror(errno: number): string;
}
