/**
 * Every key of the server-state cache (Pinia Colada), built in one place so that a query, the
 * mutation that invalidates it and a live update that writes into it (lib/liveUpdate.ts) agree.
 *
 * Keys that hold one user's data start with ['user', userId]: when someone else signs in the
 * pages read other entries, and queries/queryClient.ts drops the previous user's.
 * Add a key here before adding a query (README: "Adding a page").
 */

export const queryKeys = {
  /** Everything that belongs to one signed-in user. */
  user: (userId: string) => ['user', userId] as const,
  sessions: (userId: string) => ['user', userId, 'sessions'] as const,
  wallet: {
    all: (userId: string) => ['user', userId, 'wallet'] as const,
    balance: (userId: string) => ['user', userId, 'wallet', 'balance'] as const,
    depositAddress: (userId: string) => ['user', userId, 'wallet', 'deposit-address'] as const,
    deposits: (userId: string) => ['user', userId, 'wallet', 'deposits'] as const,
    withdrawals: (userId: string) => ['user', userId, 'wallet', 'withdrawals'] as const,
    /** All history lists, whatever their filter (to invalidate them together). */
    transfersAll: (userId: string) => ['user', userId, 'wallet', 'transfers'] as const,
    transfers: (userId: string, reason: string | null) =>
      ['user', userId, 'wallet', 'transfers', reason ?? 'all'] as const,
  },
  /**
   * The staff area (wallet-service's staff API), under the staff member's own key so it is
   * dropped when they sign out.
   */
  staff: {
    all: (userId: string) => ['user', userId, 'staff'] as const,
    withdrawals: (userId: string) => ['user', userId, 'staff', 'withdrawals'] as const,
    frozenWallets: (userId: string) => ['user', userId, 'staff', 'frozen-wallets'] as const,
    suspense: (userId: string) => ['user', userId, 'staff', 'suspense'] as const,
    reconciliation: (userId: string) => ['user', userId, 'staff', 'reconciliation'] as const,
    auditLog: (userId: string) => ['user', userId, 'staff', 'audit-log'] as const,
  },
  /** The seller's side: their listings as they see them (with views, watchers, the reserve). */
  sell: {
    all: (userId: string) => ['user', userId, 'sell'] as const,
    listing: (userId: string, listingId: string) => ['user', userId, 'sell', 'listing', listingId] as const,
    /** Every "My listings" tab, whatever its state filter (to invalidate them together). */
    mineAll: (userId: string) => ['user', userId, 'sell', 'mine'] as const,
    mine: (userId: string, tab: string) => ['user', userId, 'sell', 'mine', tab] as const,
    /** Public, the same for everyone. */
    categories: () => ['listing-categories'] as const,
    fees: () => ['listing-fees'] as const,
  },
  /** Public: the same for everyone. */
  seller: (username: string) => ['sellers', username] as const,
  /** listing-service, public reads (buyer side). */
  listings: {
    categories: () => ['listings', 'categories'] as const,
    detail: (listingId: string) => ['listings', 'detail', listingId] as const,
  },
  /** The signed-in user's watchlist (its first page also tells the listing page what is watched). */
  watchlist: (userId: string) => ['user', userId, 'watchlist'] as const,
  /** notification-service: the bell, the notifications page and the preferences. */
  notifications: {
    all: (userId: string) => ['user', userId, 'notifications'] as const,
    unreadCount: (userId: string) => ['user', userId, 'notifications', 'unread-count'] as const,
    list: (userId: string) => ['user', userId, 'notifications', 'list'] as const,
    preferences: (userId: string) => ['user', userId, 'notifications', 'preferences'] as const,
    /** Public: what an unsubscribe link turns off (no sign-in). */
    unsubscribe: (token: string) => ['unsubscribe', token] as const,
    /** The staff view of email delivery. */
    staffEmails: (userId: string) => ['user', userId, 'staff', 'emails'] as const,
  },
  /** messaging-service: conversations and their messages. */
  messaging: {
    all: (userId: string) => ['user', userId, 'messaging'] as const,
    unreadCount: (userId: string) => ['user', userId, 'messaging', 'unread-count'] as const,
    conversations: (userId: string) => ['user', userId, 'messaging', 'conversations'] as const,
    conversation: (userId: string, conversationId: string) =>
      ['user', userId, 'messaging', 'conversation', conversationId] as const,
    /** One thread's messages, oldest first (lib/liveUpdate.ts appends to it). */
    messages: (userId: string, conversationId: string) =>
      ['user', userId, 'messaging', 'messages', conversationId] as const,
    blocks: (userId: string) => ['user', userId, 'messaging', 'blocks'] as const,
    staffReports: (userId: string) => ['user', userId, 'staff', 'reports'] as const,
    staffReport: (userId: string, reportId: string) => ['user', userId, 'staff', 'report', reportId] as const,
  },
  /** search-gateway. `params` is the search's query string in a stable order (one entry per search). */
  search: {
    all: () => ['search'] as const,
    listings: (params: string) => ['search', 'listings', params] as const,
    suggest: (q: string) => ['search', 'suggest', q] as const,
  },
}
