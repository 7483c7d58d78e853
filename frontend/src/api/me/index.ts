import { http } from '@/api/request'
import type { Confirmations } from './types'

/** GET /me/confirmations: the five confirmations of R-12345-13 for the signed-in user. */
export function getConfirmations(): Promise<Confirmations> {
  return http.get<Confirmations>('/me/confirmations')
}
