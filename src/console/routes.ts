import type { Api, RouteDeps } from '../api/routes/context.ts'

/** The web console, served at /console, and the readable API reference at /docs. */
export async function consoleRoutes(_app: Api, _deps: RouteDeps): Promise<void> {}
