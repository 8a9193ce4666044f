/**
 * notification-service: in-app notifications (also pushed on the live channel and sent by email),
 * each user's preferences, the signed-out unsubscribe link, and the staff view of email delivery.
 */
import { apiGet, apiPost, apiPut, type IsoDateTime, type Page, type PageParams } from './http'

export const NOTIFICATIONS_BASE_PATH = '/api/v1/notifications/'

/** A notification type id, for example `deposit.credited` or `message.new`. */
export type NotificationType = string

export interface AppNotification {
  id: string
  type: NotificationType
  title: string
  body: string
  /** An app path such as `/wallet`, or null. */
  link: string | null
  created_at: IsoDateTime
  /** null while unread. */
  read_at: IsoDateTime | null
}

export type EmailChoice = 'instant' | 'daily' | 'off'

export interface NotificationTypePreference {
  type: NotificationType
  label: string
  description: string
  in_app: boolean
  email: EmailChoice
  /** The email choices this type allows (security types never `off`). */
  email_choices: EmailChoice[]
  /** Security notices: email cannot be turned off. */
  required: boolean
}

export interface NotificationPreferences {
  email_digest_hour_utc: number
  types: NotificationTypePreference[]
}

export interface NotificationPreferenceChange {
  type: NotificationType
  in_app: boolean
  email: EmailChoice
}

export interface UnsubscribeInfo {
  type: NotificationType
  label: string
  email_masked: string
}

export interface UnsubscribeResult {
  type: NotificationType
  label: string
  email: 'off'
}

export interface UnreadCount {
  unread_count: number
}

export interface StaffEmail {
  id: string
  state: string
  to_masked?: string
  to?: string
  subject: string
  type?: NotificationType
  attempts: number
  last_error: string | null
  created_at: IsoDateTime
  updated_at?: IsoDateTime
}

const path = (tail: string) => `${NOTIFICATIONS_BASE_PATH}${tail}`

export function notificationsList(params: PageParams = {}): Promise<Page<AppNotification>> {
  return apiGet(path('items'), { query: { ...params } })
}

export function notificationsUnreadCount(): Promise<UnreadCount> {
  return apiGet(path('unread-count'))
}

export function notificationRead(id: string): Promise<AppNotification> {
  return apiPost(path(`items/${encodeURIComponent(id)}/read`), {})
}

export function notificationsReadAll(): Promise<UnreadCount> {
  return apiPost(path('read-all'), {})
}

export function notificationPreferencesGet(): Promise<NotificationPreferences> {
  return apiGet(path('preferences'))
}

export function notificationPreferencesPut(types: NotificationPreferenceChange[]): Promise<NotificationPreferences> {
  return apiPut(path('preferences'), { types })
}

/** What the link turns off (no sign-in). */
export function unsubscribeGet(token: string): Promise<UnsubscribeInfo> {
  return apiGet(path('unsubscribe'), { query: { token }, isAnonymous: true })
}

export function unsubscribeConfirm(token: string): Promise<UnsubscribeResult> {
  return apiPost(path('unsubscribe'), { token }, { isAnonymous: true })
}

export function staffEmailsList(params: PageParams & { state?: string } = {}): Promise<Page<StaffEmail>> {
  return apiGet(path('staff/emails'), { query: { ...params } })
}

export function staffEmailReplay(id: string): Promise<StaffEmail> {
  return apiPost(path(`staff/emails/${encodeURIComponent(id)}/replay`), {})
}
