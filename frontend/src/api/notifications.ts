/**
 * notification-service: in-app notifications (also pushed over WebSocket and sent by email)
 * and each user's preferences.
 *
 * Placeholder until the notification-service issue lands: only the base path and the shapes of
 * the resources the design brief names.
 */
import type { IsoDateTime } from './http'

export const NOTIFICATIONS_BASE_PATH = '/api/v1/notifications/'

export interface AppNotification {
  id: string
  /** The event that caused it, for example `bid.placed` or `order.paid`. */
  kind: string
  title: string
  body: string
  is_read: boolean
  created_at: IsoDateTime
}

export interface NotificationPreferences {
  is_email_enabled: boolean
  is_push_enabled: boolean
}
