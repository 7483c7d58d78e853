import type { RouteRecordRaw } from 'vue-router'
import './types'
import home from './modules/home'
import tickets from './modules/tickets'
import directory from './modules/directory'

/** Pages inside the signed-in layout; `meta.menu` entries form the side menu. */
export const appRoutes: RouteRecordRaw[] = [...home, ...tickets, ...directory]
