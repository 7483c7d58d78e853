import type { Role } from '@/api/auth/types'
import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** Public pages need no session. */
    public?: boolean
    /** Roles that may open the page; absent = every signed-in role. */
    roles?: Role[]
    /** i18n key of the page title / menu entry. */
    titleKey?: string
    /** Show in the side menu. */
    menu?: boolean
  }
}

export {}
