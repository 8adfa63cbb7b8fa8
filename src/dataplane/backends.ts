import fs from 'node:fs'
import { checkBackendAddress } from '../domain/backends.ts'

/** A setting of the data plane that cannot work as given (a bad backends file). */
export class DataplaneConfigError extends Error {}

/** Reads VPCEP_BACKENDS_FILE: a JSON object of port id to address. */
export function readBackendsFile(file: string): Map<string, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new DataplaneConfigError(`VPCEP_BACKENDS_FILE ${file}: ${(error as Error).message}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DataplaneConfigError(`VPCEP_BACKENDS_FILE ${file}: expected a JSON object such as {"<port id>": "127.0.0.1"}`)
  const map = new Map<string, string>()
  for (const [portId, address] of Object.entries(parsed)) {
    const problem = typeof address === 'string' ? checkBackendAddress(address) : 'the address must be a string'
    if (problem) throw new DataplaneConfigError(`VPCEP_BACKENDS_FILE ${file}: port ${portId}: ${problem}`)
    map.set(portId, address as string)
  }
  return map
}

/** Where a port id is: the database's mapping, else the file's, else the default (undefined: nowhere). */
export function resolveBackend(portId: string, fromDatabase: Map<string, string>, fromFile: Map<string, string>, fallback: string | undefined): string | undefined {
  return fromDatabase.get(portId) ?? fromFile.get(portId) ?? fallback
}
