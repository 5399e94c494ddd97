// nsjail-ts seccomp: compile, disassemble and explain seccomp filters (src/seccomp does the work).

import { seccompMain } from "../../seccomp/index.js";

export const summary = "compile, disasm or explain a seccomp filter";

export const main = (argv: string[]): Promise<number> => seccompMain(argv);
