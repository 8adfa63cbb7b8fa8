import { VpcepApiError, VpcepWaitError } from './errors.ts'
import type { VpcepClient } from './client.ts'
import type { Connection, Endpoint, EndpointService } from './types.ts'

/*
 * Polling until a resource reaches a state, as the cloud's clients do (digest §1.4): creates are waited
 * on through the details call, deletes until that call answers 404.
 */

export interface WaitOptions {
  /** Give up after this many milliseconds (VpcepWaitError 'timeout'). */
  timeoutMs: number
  /** First pause between polls; it grows by half each time up to `maxIntervalMs`. Default 250 ms. */
  intervalMs?: number
  /** Default 2 s. */
  maxIntervalMs?: number
  /** Called after every poll with the status seen (`gone` once a delete completed). */
  onPoll?: (status: string) => void
}

type Probe<T> = { done: true; value: T; status: string } | { done: false; status: string }

/** Polls `probe` until it is done; throws VpcepWaitError on timeout. Errors of the probe propagate. */
export async function poll<T>(what: string, probe: () => Promise<Probe<T>>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  let interval = options.intervalMs ?? 250
  for (;;) {
    const result = await probe()
    options.onPoll?.(result.status)
    if (result.done) return result.value
    const left = deadline - Date.now()
    if (left <= 0) throw new VpcepWaitError('timeout', result.status, `timed out after ${Number((options.timeoutMs / 1000).toFixed(1))} s waiting for ${what} (last status: ${result.status || 'unknown'})`)
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)))
    interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 2000)
  }
}

async function goneOr<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof VpcepApiError && error.status === 404) return undefined
    throw error
  }
}

/** Until the service is `available`; a `failed` service fails the wait. */
export function waitForServiceAvailable(client: VpcepClient, id: string, options: WaitOptions): Promise<EndpointService> {
  return poll<EndpointService>(`service ${id} to become available`, async () => {
    const service = await client.services.show(id)
    if (service.status === 'failed') throw new VpcepWaitError('failed', service.status, `service ${id} failed: ${(service.error ?? []).map((e) => `${e.code} ${e.message}`).join('; ') || 'no reason given'}`)
    return service.status === 'available' ? { done: true, value: service, status: service.status } : { done: false, status: service.status }
  }, options)
}

/** Until the service's details answer 404. */
export function waitForServiceGone(client: VpcepClient, id: string, options: WaitOptions): Promise<void> {
  return poll<void>(`service ${id} to be deleted`, async () => {
    const service = await goneOr(() => client.services.show(id))
    return service ? { done: false, status: service.status } : { done: true, value: undefined, status: 'gone' }
  }, options)
}

/** Until the endpoint has left `creating`: `pendingAcceptance` or `accepted`; `failed` fails the wait. */
export function waitForEndpointSettled(client: VpcepClient, id: string, options: WaitOptions): Promise<Endpoint> {
  return poll<Endpoint>(`endpoint ${id} to be created`, async () => {
    const endpoint = await client.endpoints.show(id)
    if (endpoint.status === 'failed') throw new VpcepWaitError('failed', endpoint.status, `endpoint ${id} failed: ${(endpoint.error ?? []).map((e) => `${e.error_code} ${e.error_message}`).join('; ') || 'no reason given'}`)
    const settled = endpoint.status === 'pendingAcceptance' || endpoint.status === 'accepted' || endpoint.status === 'rejected'
    return settled ? { done: true, value: endpoint, status: endpoint.status } : { done: false, status: endpoint.status }
  }, options)
}

/** Until the endpoint's details answer 404. */
export function waitForEndpointGone(client: VpcepClient, id: string, options: WaitOptions): Promise<void> {
  return poll<void>(`endpoint ${id} to be deleted`, async () => {
    const endpoint = await goneOr(() => client.endpoints.show(id))
    return endpoint ? { done: false, status: endpoint.status } : { done: true, value: undefined, status: 'gone' }
  }, options)
}

/** Until the connection shows `target`; a connection that disappears or fails ends the wait with an error. */
export function waitForConnection(client: VpcepClient, serviceId: string, endpointId: string, target: 'accepted' | 'rejected', options: WaitOptions): Promise<Connection> {
  return poll<Connection>(`connection ${endpointId} to be ${target}`, async () => {
    const page = await client.connections.list(serviceId, { id: endpointId })
    const connection = page.connections.find((c) => c.id === endpointId)
    if (!connection) throw new VpcepWaitError('failed', 'gone', `connection ${endpointId} is no longer a connection of service ${serviceId}`)
    if (connection.status === 'failed' || connection.status === 'deleting') {
      throw new VpcepWaitError('failed', connection.status, `connection ${endpointId} is ${connection.status}; it cannot become ${target}`)
    }
    return connection.status === target ? { done: true, value: connection, status: connection.status } : { done: false, status: connection.status }
  }, options)
}
