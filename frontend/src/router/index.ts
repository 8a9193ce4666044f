import {
  createRouter,
  createWebHistory,
  type RouteRecordRaw,
  type Router,
  type RouterHistory,
} from 'vue-router'

import { sellerProfileQuery } from '@/queries/account'
import { queryPrefetch } from '@/queries/queryClient'
import { useSessionStore } from '@/stores/useSessionStore'
import HomeView from '@/views/HomeView.vue'
import { t } from '@/i18n'

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown in the browser tab as "<title> · dBay"; the home page uses the site title. */
    title?: string
    /** Only for signed-in users: others go to sign-in, and come back here after. */
    requiresAuth?: boolean
    /** Only for signed-out users (sign-in, register): others go where they were headed. */
    isGuestOnly?: boolean
    /**
     * Only for staff (the `staff` role of the signed-in user): others are sent to the staff
     * area's first page, which tells them it is for staff. wallet-service checks the role itself.
     */
    requiresStaff?: boolean
  }
}

export const SITE_TITLE = 'dBay — auctions in Dogecoin'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView },
  {
    path: '/browse',
    name: 'browse',
    component: () => import('@/views/BrowseView.vue'),
    meta: { title: t('index.browse') },
  },
  {
    path: '/browse/:categoryId',
    name: 'browse-category',
    component: () => import('@/views/BrowseView.vue'),
    props: true,
    meta: { title: t('index.browse') },
  },
  {
    path: '/listings/:id',
    name: 'listing',
    component: () => import('@/views/ListingView.vue'),
    props: true,
    meta: { title: t('index.listing') },
  },
  {
    path: '/watchlist',
    name: 'watchlist',
    component: () => import('@/views/WatchlistView.vue'),
    meta: { title: t('index.watchlist'), requiresAuth: true },
  },
  {
    path: '/search',
    name: 'search',
    component: () => import('@/views/SearchView.vue'),
    meta: { title: t('index.search') },
  },
  {
    path: '/sell',
    name: 'sell',
    component: () => import('@/views/SellView.vue'),
    meta: { title: t('index.sell') },
  },
  {
    path: '/sell/:id',
    name: 'sell-edit',
    component: () => import('@/views/SellEditView.vue'),
    props: true,
    meta: { title: t('index.sellEdit'), requiresAuth: true },
  },
  {
    path: '/my-listings',
    name: 'my-listings',
    component: () => import('@/views/MyListingsView.vue'),
    meta: { title: t('index.myListings'), requiresAuth: true },
  },
  {
    path: '/wallet',
    name: 'wallet',
    component: () => import('@/views/WalletView.vue'),
    meta: { title: t('index.wallet'), requiresAuth: true },
  },
  {
    path: '/staff',
    component: () => import('@/views/StaffView.vue'),
    meta: { title: t('index.staff'), requiresAuth: true, requiresStaff: true },
    children: [
      {
        path: '',
        name: 'staff-withdrawals',
        component: () => import('@/components/StaffWithdrawalQueue.vue'),
        meta: { title: t('index.staffWithdrawals') },
      },
      {
        path: 'frozen-wallets',
        name: 'staff-frozen-wallets',
        component: () => import('@/components/StaffFrozenWalletList.vue'),
        meta: { title: t('index.staffFrozenWallets') },
      },
      {
        path: 'suspense',
        name: 'staff-suspense',
        component: () => import('@/components/StaffSuspenseAccount.vue'),
        meta: { title: t('index.staffSuspense') },
      },
      {
        path: 'reconciliation',
        name: 'staff-reconciliation',
        component: () => import('@/components/StaffReconciliation.vue'),
        meta: { title: t('index.staffReconciliation') },
      },
      {
        path: 'audit-log',
        name: 'staff-audit-log',
        component: () => import('@/components/StaffAuditLog.vue'),
        meta: { title: t('index.staffAuditLog') },
      },
      {
        path: 'reports',
        name: 'staff-reports',
        component: () => import('@/components/StaffMessageReports.vue'),
        meta: { title: t('index.staffReports') },
      },
      {
        path: 'emails',
        name: 'staff-emails',
        component: () => import('@/components/StaffEmailDelivery.vue'),
        meta: { title: t('index.staffEmails') },
      },
    ],
  },
  {
    path: '/messages',
    name: 'messages',
    component: () => import('@/views/MessagesView.vue'),
    meta: { title: t('index.messages'), requiresAuth: true },
  },
  {
    path: '/messages/:id',
    name: 'conversation',
    component: () => import('@/views/ConversationView.vue'),
    props: true,
    meta: { title: t('index.conversation'), requiresAuth: true },
  },
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('@/views/NotificationsView.vue'),
    meta: { title: t('index.notifications'), requiresAuth: true },
  },
  {
    path: '/account/notifications',
    name: 'account-notifications',
    component: () => import('@/views/AccountNotificationsView.vue'),
    meta: { title: t('index.notificationSettings'), requiresAuth: true },
  },
  {
    path: '/unsubscribe',
    name: 'unsubscribe',
    component: () => import('@/views/UnsubscribeView.vue'),
    meta: { title: t('index.unsubscribe') },
  },
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('@/views/SignInView.vue'),
    meta: { title: t('index.signIn'), isGuestOnly: true },
  },
  {
    path: '/register',
    name: 'register',
    component: () => import('@/views/RegisterView.vue'),
    meta: { title: t('index.createAnAccount'), isGuestOnly: true },
  },
  {
    path: '/verify-email',
    name: 'verify-email',
    component: () => import('@/views/VerifyEmailView.vue'),
    meta: { title: t('index.verifyYourEmail') },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('@/views/ForgotPasswordView.vue'),
    meta: { title: t('index.forgottenPassword') },
  },
  {
    path: '/reset-password',
    name: 'reset-password',
    component: () => import('@/views/ResetPasswordView.vue'),
    meta: { title: t('index.chooseANewPassword') },
  },
  {
    path: '/account',
    name: 'account',
    component: () => import('@/views/AccountView.vue'),
    meta: { title: t('index.account'), requiresAuth: true },
  },
  {
    path: '/sellers/:username',
    name: 'seller',
    component: () => import('@/views/SellerProfileView.vue'),
    // The profile request starts now, alongside the page's code, not after it.
    beforeEnter: (to) => {
      queryPrefetch(sellerProfileQuery(String(to.params.username)))
    },
    props: true,
    meta: { title: t('index.seller') },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { title: t('index.pageNotFound') },
  },
]

/** Tests pass createMemoryHistory(); the app uses the browser's history. */
export function createAppRouter(
  history: RouterHistory = createWebHistory(import.meta.env.BASE_URL),
): Router {
  const router = createRouter({
    history,
    routes,
    scrollBehavior(to, _from, savedPosition) {
      if (savedPosition) {
        return savedPosition
      }
      if (to.hash) {
        return { el: to.hash }
      }
      return { top: 0 }
    },
  })

  // Pages with an access rule wait for the start-up session restore before deciding. The store
  // is looked up only then, so routers without Pinia (and pages without rules) never touch it.
  router.beforeEach(async (to) => {
    if (to.meta.requiresAuth !== true && to.meta.isGuestOnly !== true && to.meta.requiresStaff !== true) {
      return true
    }
    const session = useSessionStore()
    await session.sessionRestore()
    if (to.meta.requiresAuth === true && !session.isSignedIn) {
      return { name: 'sign-in', query: { next: to.fullPath } }
    }
    if (to.meta.isGuestOnly === true && session.isSignedIn) {
      return safeNextPath(to.query.next) ?? { name: 'home' }
    }
    if (to.meta.requiresStaff === true && !session.isStaff && to.name !== 'staff-withdrawals') {
      // The first staff page says the area is for staff; the other sections are not shown at all.
      return { name: 'staff-withdrawals' }
    }
    return true
  })

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · dBay` : SITE_TITLE
  })

  return router
}

/**
 * A `?next=` value that is safe to go to after signing in: a path on this site. Anything else
 * (an absolute or protocol-relative URL, a list, nothing) is null, so a crafted sign-in link
 * cannot send the user to another site.
 */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) {
    return null
  }
  if (next.includes('\\')) {
    return null
  }
  return next
}

/** When the API ends the session, go to sign-in (which shows why), then back here. */
export function installSessionExpiredRedirect(
  router: Router,
  session: ReturnType<typeof useSessionStore>,
): () => void {
  return session.onSessionExpired(() => {
    const current = router.currentRoute.value
    if (current.name === 'sign-in') {
      return
    }
    void router.push({
      name: 'sign-in',
      query: current.fullPath === '/' ? {} : { next: current.fullPath },
    })
  })
}
