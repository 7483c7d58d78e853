/**
 * 保存并派单: save a new ticket, then dispatch it in the same go (two API calls). Never a confusing half
 * state: when the save fails nothing was created and the form stays as typed; when the dispatch fails the
 * ticket IS saved (received, R-12345-01 still running) and the result says so, with the dispatch's error.
 */
import type { TicketCreate, TicketPublic } from '@/api/tickets/types'
import { ApiError } from '@/api/request'

/** R-12345-02: the unit and the person phoned at it. */
export interface DispatchTo {
  unit_id: string
  to_name: string
  to_phone: string
}

export interface IntakeApi {
  create: (body: TicketCreate) => Promise<TicketPublic>
  dispatch: (id: string, body: Record<string, unknown>) => Promise<TicketPublic>
}

export type IntakeResult =
  | { kind: 'dispatched'; ticket: TicketPublic }
  /** saved, but the dispatch failed: the saved ticket and why */
  | { kind: 'saved'; ticket: TicketPublic; error: string }

export function dispatchBody(to: DispatchTo): Record<string, unknown> {
  return { unit_id: to.unit_id, call: { to_name: to.to_name.trim(), to_phone: to.to_phone.replace(/\s+/g, '') } }
}

/** Save, then dispatch; a failed save throws (nothing saved), a failed dispatch returns `saved`. */
export async function saveAndDispatch(api: IntakeApi, body: TicketCreate, to: DispatchTo): Promise<IntakeResult> {
  const ticket = await api.create(body)
  try {
    return { kind: 'dispatched', ticket: await api.dispatch(ticket.id, dispatchBody(to)) }
  } catch (e) {
    return { kind: 'saved', ticket, error: e instanceof ApiError ? e.message : String((e as Error)?.message ?? e) }
  }
}

/** Units whose name or id contains the typed text (type-ahead; Enter takes the first, i.e. the only one). */
export function matchUnits<U extends { id: string; name: string }>(units: U[], text: string): U[] {
  const q = text.trim().toLowerCase()
  if (!q) return units
  return units.filter((u) => u.name.toLowerCase().includes(q) || u.id.toLowerCase().includes(q))
}
