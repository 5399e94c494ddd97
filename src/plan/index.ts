// The plan: a resolved policy compiled into the helper's ordered setup operations.

export { compileOps, SETUP_ORDER } from "./order.js";
export type { CallerFacts, CompileContext } from "./context.js";
export { commandEnv } from "./exec.js";
export { encodePlan, decodePlan, PlanFormatError, type DecodedOp } from "./wire.js";
export * from "./ops.js";
export { CLONE_FLAGS } from "./namespaces.js";
export { RLIMITS } from "./limits.js";
export { parseSize, parseMode } from "./units.js";
