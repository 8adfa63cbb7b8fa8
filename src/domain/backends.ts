import net from 'node:net'
import type { Store } from '../store/database.ts'
import { listBackends, removeBackend, setBackend, type BackendMapping } from '../store/repos/backends.ts'
import { recordDataplaneChange } from '../store/repos/events.ts'
import { toStoredTime, type Clock } from './clock.ts'
import { fail } from './errors.ts'

/** Backend addresses are IPv4 addresses or `localhost`; the port comes from the service's server_port. */
export function checkBackendAddress(address: string): string | undefined {
  if (address === 'localhost' || net.isIPv4(address)) return undefined
  return `a backend address is an IPv4 address such as 127.0.0.1 (the port is the service's server_port), got "${address.slice(0, 64)}"`
}

/**
 * Operators' map of service port ids to the addresses the data plane forwards to (docs/dataplane.md).
 * Each change is an outbox row too, so a data plane in another process follows it at once.
 */
export class Backends {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  list(): Promise<BackendMapping[]> {
    return listBackends(this.store.db)
  }

  set(portId: string, address: string): Promise<BackendMapping> {
    const problem = checkBackendAddress(address)
    if (problem) fail('invalidIpAddress', problem)
    if (portId.length < 1 || portId.length > 64) fail('invalidPortId', 'A port id is 1-64 characters.')
    const stamp = toStoredTime(this.clock.now())
    return this.store.transaction(async (tx) => {
      const saved = await setBackend(tx, portId, address, stamp)
      await recordDataplaneChange(tx, portId, stamp)
      return saved
    })
  }

  /** Answers false when there was no mapping to remove. */
  remove(portId: string): Promise<boolean> {
    const stamp = toStoredTime(this.clock.now())
    return this.store.transaction(async (tx) => {
      const found = await removeBackend(tx, portId)
      if (found) await recordDataplaneChange(tx, portId, stamp)
      return found
    })
  }
}
