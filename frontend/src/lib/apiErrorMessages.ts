/**
 * Turns an ApiError into words for people, and into per-field errors for forms.
 *
 * The services send a machine `code`, a `message` written for developers that is often fine for
 * people too, and the request field at fault as `param`. Codes a user meets on their own
 * (a taken username, a wrong code) get dBay's own wording; the rest show the service's message.
 */
import { ApiError } from '@/api/http'

import { formatDateTime, formatTime, isSameLocalDay } from './dates'
import { formatDoge } from './money'

/** Per-call wording for a code, where the generic sentence would mislead. */
export type ErrorMessageOverrides = Partial<Record<string, string>>

export const GENERIC_ERROR_MESSAGE = 'Something went wrong. Please try again.'
export const SERVER_ERROR_MESSAGE =
  'Something went wrong on our side. Please try again in a moment.'

const MESSAGES: Readonly<Record<string, string>> = {
  invalid_credentials:
    'That email or username and password don’t match. Check them and try again.',
  email_taken:
    'There is already an account with this email. Sign in, or reset your password if you’ve forgotten it.',
  username_taken: 'That username is taken. Try another one.',
  invalid_token: 'This link isn’t valid. It may have been used already, or copied only in part.',
  token_expired: 'This link has expired. Ask for a new one.',
  invalid_mfa_code:
    'That code didn’t work. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.',
  mfa_required: 'Enter the code from your authenticator app to continue.',
  two_factor_not_enabled:
    'Turn on two-factor authentication in your account settings first.',
  insufficient_funds: 'Your available balance isn’t enough for this.',
  account_frozen:
    'Your wallet is frozen while we review it, so it can’t send DOGE for now. Deposits still arrive. Please contact support.',
  idempotency_request_in_progress:
    'We’re still working on this request. Wait a moment, then try again.',
}

/** The sentence to show for `error`. */
export function apiErrorMessage(error: unknown, overrides: ErrorMessageOverrides = {}): string {
  if (!(error instanceof ApiError)) {
    return GENERIC_ERROR_MESSAGE
  }
  const override = overrides[error.code]
  if (override !== undefined) {
    return override
  }
  switch (error.code) {
    case 'rate_limited':
      return rateLimitedMessage(error.retryAfterSeconds)
    case 'account_locked':
      return accountLockedMessage(error)
    case 'weak_password':
      return withoutParamPrefix(error.message, error.param)
    case 'amount_below_dust':
      return belowDustMessage(error.message)
    case 'velocity_limit_exceeded':
      return velocityLimitMessage(error.message)
  }
  const known = MESSAGES[error.code]
  if (known !== undefined) {
    return known
  }
  if (error.status >= 500) {
    return SERVER_ERROR_MESSAGE
  }
  return withoutParamPrefix(error.message, error.param) || GENERIC_ERROR_MESSAGE
}

export interface FormErrors<Field extends string> {
  /** Errors the API pinned on one of the form's fields (`param`). */
  fieldErrors: Partial<Record<Field, string>>
  /** An error about the form as a whole, or about a field the form does not show. */
  formError: string | null
}

/**
 * Puts the error next to the field its `param` names, if the form has that field. Without a
 * usable `param`, `fieldForCode` can still name the field a code is about (a wrong current
 * password is about the current-password field whatever the API says).
 */
export function formErrorsFrom<Field extends string>(
  error: unknown,
  fields: readonly Field[],
  overrides: ErrorMessageOverrides = {},
  fieldForCode: Partial<Record<string, Field>> = {},
): FormErrors<Field> {
  const message = apiErrorMessage(error, overrides)
  if (error instanceof ApiError) {
    const field = fields.find((name) => name === error.param) ?? fieldForCode[error.code]
    if (field !== undefined) {
      return { fieldErrors: { [field]: message } as Partial<Record<Field, string>>, formError: null }
    }
  }
  return { fieldErrors: {}, formError: message }
}

/** "30 seconds", "1 minute", "5 minutes", "2 hours". */
export function formatWait(seconds: number): string {
  if (seconds < 60) {
    const whole = Math.max(1, Math.ceil(seconds))
    return `${whole} ${whole === 1 ? 'second' : 'seconds'}`
  }
  if (seconds < 3600) {
    const minutes = Math.ceil(seconds / 60)
    return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`
  }
  const hours = Math.ceil(seconds / 3600)
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`
}

function rateLimitedMessage(retryAfterSeconds: number | null): string {
  if (retryAfterSeconds === null) {
    return 'Too many attempts. Please wait a little and try again.'
  }
  return `Too many attempts. Please try again in ${formatWait(retryAfterSeconds)}.`
}

/**
 * wallet-service names the limits in koinu in its messages ("The minimum withdrawal is 1000000
 * koinu (0.01000000 DOGE): ..."); people get them in DOGE. Without the figure, the sentence alone.
 */
function belowDustMessage(serverMessage: string): string {
  const lead = 'That amount is too small to send: the Dogecoin network won’t relay payments that tiny.'
  const minimum = /minimum withdrawal is (\d+) koinu/.exec(serverMessage)?.[1]
  return minimum === undefined
    ? lead
    : `${lead} The smallest withdrawal is ${formatDoge(BigInt(minimum), { withSymbol: true })}.`
}

/** "...would exceed your daily limit of 10000000000000 koinu (250000000 koinu left in the last 24 hours)." */
function velocityLimitMessage(serverMessage: string): string {
  const found = /daily limit of (\d+) koinu \((\d+) koinu left/.exec(serverMessage)
  if (found?.[1] === undefined || found[2] === undefined) {
    return 'This would go over your daily withdrawal limit. Try a smaller amount, or wait a day.'
  }
  const limit = formatDoge(BigInt(found[1]), { withSymbol: true })
  const left = formatDoge(BigInt(found[2]), { withSymbol: true })
  return `This would go over your daily withdrawal limit of ${limit}. Right now you can withdraw up to ${left} more (the limit counts the last 24 hours).`
}

/** "2025-06-01T12:15:00Z", "2025-06-01 12:15:00 UTC", "2025-06-01T12:15:00+02:00". */
const MESSAGE_DATE_TIME =
  /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?/

/**
 * When the account unlocks, in local time: from Retry-After if the service sent it, else from the
 * time in its message (read as UTC unless it names a zone), else the service's message as it is.
 */
function accountLockedMessage(error: ApiError): string {
  const lead = 'This account is locked for now after too many failed sign-ins.'
  const unlockAt = accountUnlockTime(error)
  if (unlockAt === null) {
    const serverMessage = error.message.trim()
    return serverMessage === '' ? lead : `${lead} ${serverMessage}`
  }
  const when = isSameLocalDay(unlockAt, new Date()) ? formatTime(unlockAt) : formatDateTime(unlockAt)
  return `${lead} You can try again after ${when}.`
}

function accountUnlockTime(error: ApiError): Date | null {
  if (error.retryAfterSeconds !== null) {
    return new Date(Date.now() + error.retryAfterSeconds * 1000)
  }
  const found = MESSAGE_DATE_TIME.exec(error.message)
  if (found === null) {
    return null
  }
  const [, date, time, zone] = found
  const offset = zone === undefined || zone === 'UTC' || zone === 'Z' ? 'Z' : zone
  const parsed = Date.parse(`${date}T${time}${offset}`)
  return Number.isNaN(parsed) ? null : new Date(parsed)
}

/** Validation messages come as "password: This password is too common."; the field shows it. */
function withoutParamPrefix(message: string, param: string | null): string {
  if (param !== null && message.startsWith(`${param}: `)) {
    return message.slice(param.length + 2)
  }
  return message
}
