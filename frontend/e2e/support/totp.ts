/**
 * RFC 6238 TOTP (HMAC-SHA-1, 6 digits, 30-second steps: what user-service and every authenticator
 * app use), so the browser tests can answer 2FA prompts without an extra dependency.
 */
import { createHmac } from 'node:crypto'

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
export const TOTP_STEP_S = 30

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase()
  let bits = 0
  let value = 0
  const bytes: number[] = []
  for (const character of clean) {
    const index = BASE32_ALPHABET.indexOf(character)
    if (index === -1) {
      throw new Error(`not base32: ${JSON.stringify(character)}`)
    }
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(bytes)
}

/** The time step a moment falls in (RFC 6238 T). */
export function totpCounter(timeMs: number = Date.now()): number {
  return Math.floor(timeMs / 1000 / TOTP_STEP_S)
}

/** RFC 4226 HOTP for one counter value. */
export function hotp(secret: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const digest = createHmac('sha1', secret).update(message).digest()
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f
  const binary = digest.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** digits).padStart(digits, '0')
}

export function totp(base32Secret: string, timeMs: number = Date.now()): string {
  return hotp(base32Decode(base32Secret), totpCounter(timeMs))
}

/**
 * A code from a time step after `usedCounter`, waiting for the next step if need be: servers
 * refuse a code that was already used, and the test may need two codes within 30 seconds.
 * Also avoids the last second of a step, so the code is still current when it arrives.
 */
export async function freshTotp(
  base32Secret: string,
  usedCounter = -1,
): Promise<{ code: string; counter: number }> {
  for (;;) {
    const now = Date.now()
    const counter = totpCounter(now)
    const msLeftInStep = (counter + 1) * TOTP_STEP_S * 1000 - now
    if (counter > usedCounter && msLeftInStep > 2_000) {
      return { code: totp(base32Secret, now), counter }
    }
    await new Promise((resolve) => setTimeout(resolve, msLeftInStep + 50))
  }
}
