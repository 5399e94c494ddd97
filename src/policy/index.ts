// The policy layer's public API: load, validate, compose and locate policies.

export type { Origin } from "./json-node.js";
export { callerVars, type PolicyVars } from "./vars.js";
export { loadPolicy, loadPolicyText, addLayer, type ResolvedPolicy } from "./load.js";
export { presetsDir } from "./presets.js";
export { formatOrigin } from "./origin.js";
export { policySchema } from "./schema.js";
