/** AppSync's documented limits that resolver code meets, shared by the sandbox and the executor. */

/** AWS (Extensions, `invalidateSubscriptions`): "at most five unique … calls in any single request". */
export const MAX_INVALIDATIONS_PER_REQUEST = 5;
