/**
 * notification-service: in-app notifications (also pushed on the live channel and sent by email),
 * each user's preferences, the signed-out unsubscribe link, and the staff view of email delivery.
 */
import type { components } from './generated/notification-service'
import { apiGet, apiPost, apiPut, type Page, type PageParams } from './http'

export const NOTIFICATIONS_BASE_PATH = '/api/v1/notifications/'

type Schemas = components['schemas']

/** A notification type id, for example `deposit.credited` or `message.new`. */
export type NotificationType = string

/** One notification; `link` is an app path such as `/wallet` (or null), `read_at` null while unread. */
export type AppNotification = Schemas['NotificationOut']
export type EmailChoice = Schemas['TypePreferenceOut']['email']
/** One type's settings; `required` (security notices): email cannot be turned off. */
export type NotificationTypePreference = Schemas['TypePreferenceOut']
export type NotificationPreferences = Schemas['PreferencesOut']
export type NotificationPreferenceChange = Schemas['TypePreferenceIn']
export type UnsubscribeInfo = Schemas['UnsubscribePreviewOut']
export type UnsubscribeResult = Schemas['UnsubscribeOut']
export type UnreadCount = Schemas['UnreadCountOut']
/** An email as the staff delivery view shows it (`state`: queued, sent or dead). */
export type StaffEmail = Schemas['EmailOut']

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
