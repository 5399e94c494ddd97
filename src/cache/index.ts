// The plan cache: manifests, the on-disk store, and the compiler's side of the front end's protocol.

export { manifestRecords, withManifest, type ManifestInputs, type ManifestResult } from "./manifest.js";
export { cacheDir, clearCache, ensureCacheDir, untrusted, writeAtomic } from "./store.js";
export { envDeps, localIds, policyArgAbsent, trackFlags, uncacheable } from "./deps.js";
export { CACHE_ENV, cachePlan, planManifest, takeCacheRequest, type CacheRequest } from "./run.js";
