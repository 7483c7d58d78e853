import type { Router } from 'vue-router'
import { http, installInterceptors } from '@/api/request'
import { currentLocale } from '@/locales'
import { useAuthStore } from '@/stores/auth'

/** Wire the request client to the session: token, language, and 401 → login ("session expired"). */
export function setupHttp(router: Router): void {
  const auth = useAuthStore()
  installInterceptors(http, {
    token: () => auth.token,
    locale: () => currentLocale(),
    onUnauthorized: () => {
      const current = router.currentRoute.value
      auth.expire()
      if (current.name !== 'login') {
        void router.replace({ name: 'login', query: { redirect: current.fullPath } })
      }
    },
  })
}
