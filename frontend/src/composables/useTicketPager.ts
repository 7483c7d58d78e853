import { ref, shallowRef } from 'vue'
import type { Page, TicketListQuery, TicketSummary } from '@/api/tickets/types'
import { errorMessage } from '@/composables/useAsync'

type Fetcher = (q: TicketListQuery) => Promise<Page<TicketSummary>>

/**
 * Server-side paging with opaque tokens: the API only knows "next", so we keep a stack of the
 * tokens that produced each page we have seen and pop it for "previous".
 */
export function useTicketPager(fetcher: Fetcher, pageSize = 20) {
  const items = shallowRef<TicketSummary[]>([])
  const loading = ref(false)
  /** '' or the user's message for the page that failed. */
  const error = ref('')
  const nextToken = ref<string | null>(null)
  /** Rows a keyword search read for this page (null for other lists). */
  const examined = ref<number | null>(null)
  /** tokens[i] = the `page` token that loads page i (page 0: none). */
  const tokens = ref<(string | null)[]>([null])
  let query: TicketListQuery = {}
  let seq = 0

  async function load(): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = ''
    const page = tokens.value[tokens.value.length - 1]
    try {
      const res = await fetcher({ ...query, limit: pageSize, ...(page ? { page } : {}) })
      if (mine !== seq) return
      items.value = res.items ?? []
      nextToken.value = res.next_page ?? null
      examined.value = res.examined ?? null
    } catch (e) {
      if (mine !== seq) return
      items.value = []
      nextToken.value = null
      examined.value = null
      error.value = errorMessage(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** A search refused before it was sent (its reason shown beside the box): no rows of an earlier search stay on
   * screen as if they answered it, and a request still under way is dropped. */
  function clear(message = ''): void {
    seq++
    loading.value = false
    items.value = []
    nextToken.value = null
    examined.value = null
    tokens.value = [null]
    error.value = message
  }

  /** New filters: back to the first page. */
  function search(q: TicketListQuery): Promise<void> {
    query = { ...q }
    tokens.value = [null]
    return load()
  }

  function next(): Promise<void> {
    if (!nextToken.value) return Promise.resolve()
    tokens.value = [...tokens.value, nextToken.value]
    return load()
  }

  function prev(): Promise<void> {
    if (tokens.value.length <= 1) return Promise.resolve()
    tokens.value = tokens.value.slice(0, -1)
    return load()
  }

  return {
    items,
    loading,
    error,
    nextToken,
    examined,
    tokens,
    search,
    clear,
    next,
    prev,
    reload: load,
    pageNumber: () => tokens.value.length,
    hasPrev: () => tokens.value.length > 1,
  }
}
