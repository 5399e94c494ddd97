// The seccomp compiler's public face: compile a policy's filter, the host arch, the CLI subcommand.
export { compileSeccomp, type CompileOptions, type CompileResult } from "./compile.js";
export { hostArch, type SeccompArch } from "./abi.js";
export { seccompMain } from "./cli.js";
