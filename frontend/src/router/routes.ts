import type { RouteRecordRaw } from 'vue-router'
import './types'
import home from './modules/home'
import tickets from './modules/tickets'
import directory from './modules/directory'
import stats from './modules/stats'
import archive from './modules/archive'
import templates from './modules/templates'
import admin from './modules/admin'
import calendar from './modules/calendar'
import partners from './modules/partners'
import work from './modules/work'
import handover from './modules/handover'
import security from './modules/security'

/** Pages inside the signed-in layout; `meta.menu` entries form the side menu. */
export const appRoutes: RouteRecordRaw[] = [...home, ...tickets, ...directory, ...stats, ...archive, ...templates, ...admin, ...calendar, ...partners, ...work, ...handover, ...security]
