/** Types of bundle-age.mjs, for the test helpers that run a bundle. */
export const projectRoot: string
export function bundleIsCurrent(bundle: string): boolean
