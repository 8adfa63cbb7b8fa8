import { DataPlane, type DataplaneDeps } from './plane.ts'

export { DataPlane, type DataplaneDeps, type DataplaneLog } from './plane.ts'
export { DataplaneConfigError } from './backends.ts'

/**
 * Starts the data plane inside the API server process (VPCEP_DATAPLANE=embedded, SQLite's default). A
 * setting it cannot use is logged as an error and the API runs on without forwarding: bad data plane
 * configuration never takes the API down.
 */
export async function startEmbeddedDataplane(deps: DataplaneDeps): Promise<DataPlane | undefined> {
  try {
    const plane = new DataPlane(deps)
    await plane.start()
    return plane
  } catch (error) {
    deps.log.error({ error: (error as Error).message }, 'data plane not started; the API runs without forwarding')
    return undefined
  }
}
