import { describe, expect, it, vi } from 'vitest'

import {
  changePasswordSchema,
  profileSchema,
  registerSchema,
  twoFactorCodeSchema,
  walletUnfreezeSchema,
  withdrawalApproveSchema,
  withdrawalRejectSchema,
  withdrawalSchema,
} from '../formSchemas'

/** Each field's first message, as the form shows them. */
function firstMessages(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  const messages: Record<string, string> = {}
  for (const issue of result.error?.issues ?? []) {
    const field = String(issue.path[0])
    messages[field] ??= issue.message
  }
  return messages
}

describe('registerSchema', () => {
  it('reports every empty field at once', () => {
    expect(firstMessages(registerSchema.safeParse({ email: ' ', username: '', password: '' }))).toEqual({
      email: 'Enter your email address.',
      username: 'Choose a username.',
      password: 'Enter your password.',
    })
  })

  it('checks formats and returns trimmed values', () => {
    expect(firstMessages(registerSchema.safeParse({ email: 'alice@', username: 'al', password: 'x' }))).toEqual({
      email: 'Enter an email address like name@example.com.',
      username: 'Usernames are 3 to 30 characters long.',
      password: 'This password is too short.',
    })
    expect(registerSchema.parse({ email: ' alice@example.test ', username: ' alice_1 ', password: ' 9-characters ' })).toEqual({
      email: 'alice@example.test',
      username: 'alice_1',
      password: ' 9-characters ',
    })
    expect(firstMessages(registerSchema.safeParse({ email: 'a@b.test', username: 'alice', password: '123456789' }))).toEqual({
      password: 'This password is too short.',
    })
    expect(registerSchema.safeParse({ email: 'a@b.test', username: 'alice', password: '1234567890' }).success).toBe(true)
  })
})

describe('changePasswordSchema', () => {
  it('puts "different" on the second new password', () => {
    expect(
      firstMessages(
        changePasswordSchema.safeParse({ current_password: 'a', new_password: 'River-table-9', new_password_again: 'River-table-8' }),
      ),
    ).toEqual({ new_password_again: 'The two passwords are different.' })
    expect(
      firstMessages(changePasswordSchema.safeParse({ current_password: 'a', new_password: 'short', new_password_again: 'short' })),
    ).toEqual({ new_password: 'This password is too short.' })
  })
})

describe('profileSchema', () => {
  it('accepts empty optional fields and refuses a link that is not https', () => {
    expect(profileSchema.safeParse({ display_name: '', avatar_url: '', location: '', bio: '' }).success).toBe(true)
    expect(
      firstMessages(profileSchema.safeParse({ display_name: 'x'.repeat(51), avatar_url: 'http://a.test/x.png', location: '', bio: '' })),
    ).toEqual({ display_name: 'At most 50 characters.', avatar_url: 'Use a link that starts with https://.' })
  })
})

describe('twoFactorCodeSchema', () => {
  it('takes 6 digits, ignoring spaces and dashes', () => {
    expect(twoFactorCodeSchema.parse({ code: '123 456' })).toEqual({ code: '123456' })
    expect(firstMessages(twoFactorCodeSchema.safeParse({ code: '12345' }))).toEqual({
      code: 'The code is the 6 digits your authenticator app shows.',
    })
  })
})

describe('withdrawalSchema', () => {
  it('reads the amount exactly as bigint koinu', () => {
    expect(
      withdrawalSchema.parse({ address: ' nXkD7pTtVSLyVDqjSmQAyqTn8tR9oWa5Ye ', amount_koinu: '90071992.54740993' }),
    ).toEqual({ address: 'nXkD7pTtVSLyVDqjSmQAyqTn8tR9oWa5Ye', amount_koinu: 9_007_199_254_740_993n })
  })

  it.each([
    ['', 'Enter an amount in DOGE.'],
    ['1,5', 'Enter the amount as a number of DOGE, for example 12.5.'],
    ['0.000000001', 'DOGE amounts have at most 8 decimal places.'],
    ['-2', 'The amount cannot be negative.'],
    ['0', 'Enter an amount above zero.'],
  ])('refuses the amount %j: %s', (amount, message) => {
    expect(firstMessages(withdrawalSchema.safeParse({ address: '', amount_koinu: amount }))).toEqual({
      address: 'Enter the Dogecoin address to send to.',
      amount_koinu: message,
    })
  })
})

describe('staff reasons', () => {
  it('requires a reason to reject or unfreeze, and takes a note to approve, each at most 500 characters', () => {
    for (const schema of [withdrawalRejectSchema, walletUnfreezeSchema]) {
      expect(firstMessages(schema.safeParse({ reason: '   ' }))).toEqual({
        reason: 'Say why: the reason is kept with the action.',
      })
      expect(firstMessages(schema.safeParse({ reason: 'x'.repeat(501) }))).toEqual({ reason: 'At most 500 characters.' })
      expect(schema.parse({ reason: ' scam report ' })).toEqual({ reason: 'scam report' })
    }
    expect(withdrawalApproveSchema.parse({ reason: '  ' })).toEqual({ reason: '' })
    expect(firstMessages(withdrawalApproveSchema.safeParse({ reason: 'x'.repeat(501) }))).toEqual({
      reason: 'At most 500 characters.',
    })
  })
})

describe('under a Content-Security-Policy without unsafe-eval', () => {
  it('never calls new Function, not even to probe for it', async () => {
    const FunctionBefore = globalThis.Function
    const compiled: string[] = []
    globalThis.Function = new Proxy(FunctionBefore, {
      construct(target, args: string[]) {
        compiled.push(args.join(','))
        return Reflect.construct(target, args)
      },
    })
    try {
      // A fresh zod and fresh schemas: zod caches its probe and its compiled parsers.
      vi.resetModules()
      const schemas = await import('../formSchemas')
      schemas.registerSchema.safeParse({ email: 'a@example.test', username: 'alice', password: 'x' })
      schemas.withdrawalSchema.safeParse({ address: 'nXkD7pTtVSLyVDqjSmQAyqTn8tR9oWa5Ye', amount_koinu: '1' })
    } finally {
      globalThis.Function = FunctionBefore
    }
    expect(compiled).toEqual([])
  })
})
