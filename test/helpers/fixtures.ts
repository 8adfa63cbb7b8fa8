import { randomUUID } from 'node:crypto'
import type { Clock } from '../../src/domain/clock.ts'
import { eventually } from './server.ts'
import { sdkError, type SdkResponse, type TestVpcepClient } from './vpcep-sdk.ts'

export const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
export const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'
export const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/** Creates a service on a fresh backend port and waits until it is `available`. */
export async function availableService(sdk: TestVpcepClient, body: Record<string, unknown> = {}): Promise<SdkResponse> {
  const created = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], ...body })
  return eventually(async () => {
    const s = await sdk.listServiceDetails(created.id)
    return s.status === 'available' ? s : undefined
  }, `service ${created.id} available`)
}

/** Waits until the endpoint has left `creating`; answers its details. */
export function settledEndpoint(sdk: TestVpcepClient, id: string): Promise<SdkResponse> {
  return eventually(async () => {
    const e = await sdk.listEndpointInfoDetails(id)
    return e.status === 'creating' ? undefined : e
  }, `endpoint ${id} settled`)
}

/** Creates an endpoint and waits until it has settled (pendingAcceptance or accepted). */
export async function settledNewEndpoint(sdk: TestVpcepClient, body: Record<string, unknown>): Promise<SdkResponse> {
  const created = await sdk.createEndpoint({ vpc_id: VPC, subnet_id: SUBNET, ...body })
  return settledEndpoint(sdk, created.id)
}

/** `[httpStatusCode, errorCode]` of a call that must fail. */
export async function failure(call: Promise<unknown>): Promise<[number, string]> {
  const e = await sdkError(call)
  return [e.httpStatusCode, e.errorCode]
}

/** Polls until `read` fails with HTTP 404; answers the error code. */
export function gone(read: () => Promise<unknown>, what: string): Promise<string> {
  return eventually(async () => {
    try {
      await read()
      return undefined
    } catch (error: any) {
      if (error?.httpStatusCode === 404) return error.errorCode as string
      throw error
    }
  }, `${what} gone`)
}

/**
 * A clock that runs with real time plus an offset the test may push forward, or stands still when
 * frozen. It never goes backwards, so the reconciler's "due" checks keep working.
 */
export class ManualClock implements Clock {
  private offsetMs = 0
  private frozenAt: Date | undefined

  now(): Date {
    return this.frozenAt ? new Date(this.frozenAt) : new Date(Date.now() + this.offsetMs)
  }

  /** Moves time forward by `ms` (unfreezing first if frozen). */
  advance(ms: number): void {
    if (this.frozenAt) this.unfreeze()
    this.offsetMs += ms
  }

  freeze(): void {
    this.frozenAt = this.now()
  }

  /**
   * Freezes the clock (if it runs) and moves the frozen instant forward by exactly `ms`: for tests that
   * count time to the millisecond. advance() resumes real time first, which adds whatever passed meanwhile.
   */
  step(ms: number): void {
    this.freeze()
    this.frozenAt = new Date(this.frozenAt!.getTime() + ms)
  }

  /** Resumes from the frozen instant onwards, never earlier. */
  unfreeze(): void {
    if (!this.frozenAt) return
    this.offsetMs = Math.max(this.offsetMs, this.frozenAt.getTime() - Date.now())
    this.frozenAt = undefined
  }
}
