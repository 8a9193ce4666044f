/**
 * user-service: accounts, sign-in and tokens, profiles, two-factor authentication and the public
 * seller profile.
 *
 * Tokens: signing in returns a short-lived access token (kept in memory by useSessionStore) and
 * sets the refresh token as an httpOnly cookie that only the API reads. The response body also
 * carries `refresh_token` for non-browser clients; this app never reads or stores it. Every call
 * goes through ./http, which sends `credentials: 'same-origin'`, so the cookie flows.
 */
import type { components } from './generated/user-service'
import { apiDelete, apiGet, apiPatch, apiPost, type PageParams, type RequestOptions } from './http'

export const USER_BASE_PATH = '/api/v1/user/'

type Schemas = components['schemas']

// The shapes come from user-service's OpenAPI document (src/api/generated, `npm run api:types`).

/** What the user shows the public. Every field is optional to fill in: empty is "". */
export type Profile = Schemas['Profile']

/** The signed-in user (GET me). `roles`: "buyer", "seller", plus "staff". */
export type User = Schemas['User']

/** A signed-in session: the access token (at most 15 minutes) and whose it is. The body's
 * `refresh_token` is also set as an httpOnly cookie; the web app ignores this copy. */
export type SessionTokens = Schemas['Tokens']

/** Password accepted, second factor needed: send a code with `mfa_token` to authLoginTwoFactor. */
export type MfaChallenge = Schemas['MfaChallenge']

export type LoginResult = Schemas['LoginResult']

export function isMfaChallenge(result: LoginResult): result is MfaChallenge {
  return 'mfa_required' in result && result.mfa_required
}

/** One signed-in device (a refresh-token family); `current` is the session this request came from. */
export type ActiveSession = Schemas['Session']

/** `secret`: Base32, for typing in by hand; `otpauth_uri`: shown as a QR code. */
export type TwoFactorEnrolment = Schemas['TotpEnrolment']

export type RecoveryCodes = Schemas['RecoveryCodes']

/** GET sellers/{username}: what anyone can see about a seller, signed in or not. */
export type SellerProfile = Schemas['SellerProfile']

export type ProfileUpdate = Schemas['PatchedProfileUpdateRequest']

const path = (relative: string): string => `${USER_BASE_PATH}${relative}`

/**
 * Public endpoints and the calls that manage the session (known to the API by body or cookie) go
 * without the access token: an expired one would get them a 401, and a refresh is exactly the
 * call made when the access token has expired.
 */
const ANONYMOUS = { isAnonymous: true } as const

// Accounts

export function authRegister(body: Schemas['RegisterRequest']): Promise<Schemas['UserEnvelope']> {
  return apiPost(path('auth/register'), body, ANONYMOUS)
}

export function authVerifyEmail(token: string): Promise<Schemas['UserEnvelope']> {
  return apiPost(path('auth/verify-email'), { token }, ANONYMOUS)
}

export async function authResendVerification(email: string): Promise<void> {
  await apiPost(path('auth/resend-verification'), { email }, ANONYMOUS)
}

export async function passwordForgot(email: string): Promise<void> {
  await apiPost(path('auth/password/forgot'), { email }, ANONYMOUS)
}

export async function passwordReset(body: Schemas['PasswordResetRequest']): Promise<void> {
  await apiPost(path('auth/password/reset'), body, ANONYMOUS)
}

// Sessions

export function authLogin(body: Schemas['LoginRequest']): Promise<LoginResult> {
  return apiPost(path('auth/login'), body, ANONYMOUS)
}

export function authLoginTwoFactor(body: Schemas['LoginMfaRequest']): Promise<SessionTokens> {
  return apiPost(path('auth/login/2fa'), body, ANONYMOUS)
}

/** Swaps the refresh-token cookie for a new access token (and a rotated cookie). */
export function authRefresh(): Promise<SessionTokens> {
  return apiPost(path('auth/refresh'), {}, ANONYMOUS)
}

/**
 * Ends this session (revokes its refresh-token family, found by the cookie). Sent with the access
 * token and the usual renew-and-retry, so it also works for a server that wants to see who asks.
 */
export async function authLogout(): Promise<void> {
  await apiPost(path('auth/logout'), {})
}

export function sessionsList(params: PageParams = {}): Promise<Schemas['PaginatedSessionList']> {
  return apiGet(path('me/sessions'), { query: { ...params } })
}

export async function sessionRevoke(sessionId: string): Promise<void> {
  await apiDelete(path(`me/sessions/${encodeURIComponent(sessionId)}`))
}

// The signed-in user

export function meGet(): Promise<Schemas['UserEnvelope']> {
  return apiGet(path('me'))
}

export function profileUpdate(changes: ProfileUpdate): Promise<Schemas['ProfileEnvelope']> {
  return apiPatch(path('me/profile'), changes)
}

export async function passwordChange(body: Schemas['PasswordChangeRequest']): Promise<void> {
  await apiPost(path('me/password'), body)
}

// Two-factor authentication (TOTP)

export function twoFactorEnroll(): Promise<TwoFactorEnrolment> {
  return apiPost(path('me/2fa/enroll'), {})
}

export function twoFactorConfirm(code: string): Promise<RecoveryCodes> {
  return apiPost(path('me/2fa/confirm'), { code })
}

export async function twoFactorDisable(code: string): Promise<void> {
  await apiPost(path('me/2fa/disable'), { code })
}

export function twoFactorRecoveryCodesRegenerate(code: string): Promise<RecoveryCodes> {
  return apiPost(path('me/2fa/recovery-codes'), { code })
}

/**
 * Proves the second factor again (step-up, before a withdrawal): the new access token carries
 * `amr` pwd+otp and `mfa_at` = now. The refresh cookie rotates too, so useSessionStore sends this
 * under its refresh lock, with `isTokenRenewalSkipped` (a renewal would wait for that lock).
 */
export function twoFactorVerify(
  code: string,
  options: Pick<RequestOptions, 'isTokenRenewalSkipped'> = {},
): Promise<SessionTokens> {
  return apiPost(path('me/2fa/verify'), { code }, options)
}

// Public

export function sellerGet(username: string): Promise<SellerProfile> {
  return apiGet(path(`sellers/${encodeURIComponent(username)}`), ANONYMOUS)
}
