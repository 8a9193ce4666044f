import { afterEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '@/api/http'

import {
  apiErrorMessage,
  formatWait,
  formErrorsFrom,
  GENERIC_ERROR_MESSAGE,
  SERVER_ERROR_MESSAGE,
} from '../apiErrorMessages'

function apiError(
  status: number,
  code: string,
  message = 'The service said so.',
  param: string | null = null,
  retryAfterSeconds: number | null = null,
): ApiError {
  return new ApiError(status, { type: 'invalid_request', code, message, param }, { retryAfterSeconds })
}

afterEach(() => {
  vi.useRealTimers()
})

describe('apiErrorMessage', () => {
  it.each([
    ['invalid_credentials', 'That email or username and password don’t match. Check them and try again.'],
    [
      'email_taken',
      'There is already an account with this email. Sign in, or reset your password if you’ve forgotten it.',
    ],
    ['username_taken', 'That username is taken. Try another one.'],
    ['invalid_token', 'This link isn’t valid. It may have been used already, or copied only in part.'],
    ['token_expired', 'This link has expired. Ask for a new one.'],
    [
      'invalid_mfa_code',
      'That code didn’t work. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.',
    ],
    ['mfa_required', 'Enter the code from your authenticator app to continue.'],
    ['two_factor_not_enabled', 'Turn on two-factor authentication in your account settings first.'],
    ['insufficient_funds', 'Your available balance isn’t enough for this.'],
    [
      'account_frozen',
      'Your wallet is frozen while we review it, so it can’t send DOGE for now. Deposits still arrive. Please contact support.',
    ],
    ['idempotency_request_in_progress', 'We’re still working on this request. Wait a moment, then try again.'],
  ])('words %s for people', (code, expected) => {
    expect(apiErrorMessage(apiError(400, code))).toBe(expected)
  })

  it('shows the server’s weak_password message, without the field prefix', () => {
    expect(
      apiErrorMessage(apiError(400, 'weak_password', 'password: This password appears in breaches.', 'password')),
    ).toBe('This password appears in breaches.')
    expect(apiErrorMessage(apiError(400, 'weak_password', 'Too short.', 'new_password'))).toBe('Too short.')
  })

  it.each([
    [30, 'Too many attempts. Please try again in 30 seconds.'],
    [1, 'Too many attempts. Please try again in 1 second.'],
    [60, 'Too many attempts. Please try again in 1 minute.'],
    [61, 'Too many attempts. Please try again in 2 minutes.'],
    [7200, 'Too many attempts. Please try again in 2 hours.'],
    [null, 'Too many attempts. Please wait a little and try again.'],
  ])('says how long to wait when rate limited (Retry-After %j)', (retryAfter, expected) => {
    expect(apiErrorMessage(apiError(429, 'rate_limited', 'Slow down.', null, retryAfter))).toBe(expected)
  })

  it('shows the unlock time from an account_locked message, in local time', () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') })

    expect(
      apiErrorMessage(apiError(403, 'account_locked', 'Account locked until 2025-06-01T12:15:00Z.')),
    ).toBe('This account is locked for now after too many failed sign-ins. You can try again after 12:15.')
    expect(
      apiErrorMessage(apiError(403, 'account_locked', 'Locked until 2025-06-02T08:00:00+00:00')),
    ).toBe(
      'This account is locked for now after too many failed sign-ins. You can try again after 2 Jun 2025, 08:00.',
    )
  })

  it('takes the unlock time from Retry-After first, and reads the service’s “… UTC” format', () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') })

    expect(apiErrorMessage(apiError(423, 'account_locked', 'Locked.', null, 900))).toBe(
      'This account is locked for now after too many failed sign-ins. You can try again after 12:15.',
    )
    expect(
      apiErrorMessage(
        apiError(
          423,
          'account_locked',
          'This account is locked after too many failed sign-in attempts. It unlocks at 2025-06-01 12:20:00 UTC (in about 20 minutes).',
        ),
      ),
    ).toBe('This account is locked for now after too many failed sign-ins. You can try again after 12:20.')
  })

  it('shows the server’s account_locked message as it is when it names no time', () => {
    expect(apiErrorMessage(apiError(403, 'account_locked', 'Try again in 15 minutes.'))).toBe(
      'This account is locked for now after too many failed sign-ins. Try again in 15 minutes.',
    )
  })

  it('gives the withdrawal minimum from wallet-service’s amount_below_dust message in DOGE', () => {
    expect(
      apiErrorMessage(
        apiError(
          400,
          'amount_below_dust',
          'The minimum withdrawal is 1000000 koinu (0.01000000 DOGE): smaller outputs are dust under Dogecoin’s fee policy.',
          'amount_koinu',
        ),
      ),
    ).toBe(
      'That amount is too small to send: the Dogecoin network won’t relay payments that tiny. The smallest withdrawal is Ð 0.01.',
    )
    expect(apiErrorMessage(apiError(400, 'amount_below_dust', 'Too small.'))).toBe(
      'That amount is too small to send: the Dogecoin network won’t relay payments that tiny.',
    )
  })

  it('gives the daily limit and what is left of it from a velocity_limit_exceeded message, in DOGE', () => {
    expect(
      apiErrorMessage(
        apiError(
          400,
          'velocity_limit_exceeded',
          'This withdrawal would exceed your daily limit of 10000000000000 koinu (250000000 koinu left in the last 24 hours).',
          'amount_koinu',
        ),
      ),
    ).toBe(
      'This would go over your daily withdrawal limit of Ð 100,000. Right now you can withdraw up to Ð 2.5 more (the limit counts the last 24 hours).',
    )
    expect(apiErrorMessage(apiError(400, 'velocity_limit_exceeded', 'Over the limit.'))).toBe(
      'This would go over your daily withdrawal limit. Try a smaller amount, or wait a day.',
    )
  })

  it('shows wallet-service’s invalid_address message, which says what is wrong with the address', () => {
    expect(
      apiErrorMessage(
        apiError(400, 'invalid_address', 'This is a Dogecoin mainnet address, but this service runs on regtest.', 'address'),
      ),
    ).toBe('This is a Dogecoin mainnet address, but this service runs on regtest.')
  })

  it('uses a per-form override first', () => {
    expect(
      apiErrorMessage(apiError(401, 'invalid_credentials'), {
        invalid_credentials: 'That isn’t your current password.',
      }),
    ).toBe('That isn’t your current password.')
  })

  it('falls back to the service’s message for other 4xx codes, and a generic one for 5xx', () => {
    expect(apiErrorMessage(apiError(400, 'required', 'email: This field is required.', 'email'))).toBe(
      'This field is required.',
    )
    expect(apiErrorMessage(apiError(502, 'http_502', 'Bad Gateway'))).toBe(SERVER_ERROR_MESSAGE)
    expect(apiErrorMessage(new TypeError('x is undefined'))).toBe(GENERIC_ERROR_MESSAGE)
  })

  it('keeps the client’s network message', () => {
    const offline = new ApiError(0, {
      type: 'network_error',
      code: 'network_unreachable',
      message: 'Could not reach dBay. Check your connection and try again.',
      param: null,
    })

    expect(apiErrorMessage(offline)).toBe('Could not reach dBay. Check your connection and try again.')
  })
})

describe('formErrorsFrom', () => {
  const FIELDS = ['email', 'username', 'password'] as const

  it('puts an error with a known param next to that field', () => {
    expect(formErrorsFrom(apiError(409, 'username_taken', 'Taken.', 'username'), FIELDS)).toEqual({
      fieldErrors: { username: 'That username is taken. Try another one.' },
      formError: null,
    })
  })

  it('puts an error without a param, or with one the form lacks, at the top of the form', () => {
    expect(formErrorsFrom(apiError(401, 'invalid_credentials'), FIELDS)).toEqual({
      fieldErrors: {},
      formError: 'That email or username and password don’t match. Check them and try again.',
    })
    expect(formErrorsFrom(apiError(400, 'invalid_field', 'roles: Not allowed.', 'roles'), FIELDS)).toEqual({
      fieldErrors: {},
      formError: 'Not allowed.',
    })
  })

  it('uses fieldForCode when the API names no field', () => {
    expect(
      formErrorsFrom(apiError(409, 'email_taken'), FIELDS, {}, { email_taken: 'email' }),
    ).toEqual({
      fieldErrors: {
        email:
          'There is already an account with this email. Sign in, or reset your password if you’ve forgotten it.',
      },
      formError: null,
    })
  })
})

describe('formatWait', () => {
  it.each([
    [0, '1 second'],
    [59, '59 seconds'],
    [120, '2 minutes'],
    [3600, '1 hour'],
    [3601, '2 hours'],
  ])('%d s → %s', (seconds, expected) => {
    expect(formatWait(seconds)).toBe(expected)
  })
})
