import { randomBytes, randomInt, randomUUID } from 'node:crypto'

/** Resource identifiers; injected so tests can make them predictable. */
export interface IdSource {
  uuid(): string
  /** Packet mark of an endpoint: a positive int32 (the Go SDK decodes it as int32). */
  markerId(): number
}

const MARKER_BASE = 16_777_216 // 2^24: real marker ids look like 16777510

export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  markerId: () => randomInt(MARKER_BASE, 2_147_483_647),
}

/** 32 lower-case hex characters, the shape of Huawei Cloud domain and project ids. */
export function hexId(): string {
  return randomBytes(16).toString('hex')
}

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
