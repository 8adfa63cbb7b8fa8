import type { Api, RouteDeps } from './context.ts'

/** Tag operations (digest §4.8): tag actions, project tag summary, resource instance search. */
export async function tagRoutes(_app: Api, _deps: RouteDeps): Promise<void> {}
