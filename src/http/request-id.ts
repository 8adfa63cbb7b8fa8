import { randomBytes } from 'node:crypto'

let randomPool = Buffer.alloc(0)
let randomOffset = 0

/** 16 random bytes as 32 hex digits, cut from a pool refilled 4 KiB at a time (one CSPRNG call per 256 ids). */
export function requestId(): string {
  if (randomOffset + 16 > randomPool.length) {
    randomPool = randomBytes(4096)
    randomOffset = 0
  }
  randomOffset += 16
  return randomPool.toString('hex', randomOffset - 16, randomOffset)
}
