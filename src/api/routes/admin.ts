import type { Api, RouteDeps } from './context.ts'

/** Test-support admin API (off unless VPCEP_ADMIN_API is set): control of async transitions. */
export async function adminRoutes(_app: Api, _deps: RouteDeps): Promise<void> {}
