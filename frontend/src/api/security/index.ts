import { http } from '@/api/request'
import type { SecurityLogPage, SecurityLogQuery } from './types'

/** GET /security-log (auditors only): newest first, filtered by kind, action, actor and UTC dates. */
export function readSecurityLog(q: SecurityLogQuery): Promise<SecurityLogPage> {
  const params = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== ''))
  return http.get<SecurityLogPage>('/security-log', params)
}
