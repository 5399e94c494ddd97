// Every bubblewrap 0.12 option as a flag table, in the order bwrap's own --help lists them.

import type { FlagSpec } from "./types.js";
import { BWRAP_MOUNT_FLAGS } from "./bwrap-mounts.js";
import { BWRAP_NS_FLAGS } from "./bwrap-ns.js";
import { BWRAP_PLUMBING_FLAGS } from "./bwrap-plumbing.js";
import { BWRAP_PROCESS_FLAGS } from "./bwrap-process.js";
import { BWRAP_UNSUPPORTED_FLAGS } from "./bwrap-unsupported.js";
import { BWRAP_USERNS_FLAGS } from "./bwrap-userns.js";

export const BWRAP_FLAGS: FlagSpec[] = [...BWRAP_NS_FLAGS, ...BWRAP_PROCESS_FLAGS, ...BWRAP_PLUMBING_FLAGS, ...BWRAP_USERNS_FLAGS, ...BWRAP_MOUNT_FLAGS, ...BWRAP_UNSUPPORTED_FLAGS];

export { finishBwrapFlags, bwrapBase, bwrapCwdLayer, bwrapCwd, bwrapLayers, dirExistsInside } from "./bwrap-finish.js";
