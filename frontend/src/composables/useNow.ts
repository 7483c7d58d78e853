import { onScopeDispose, ref } from 'vue'

/** A clock that ticks every minute, for countdowns; stops with the component. */
export function useNow(intervalMs = 60_000) {
  const now = ref(new Date())
  const timer = setInterval(() => (now.value = new Date()), intervalMs)
  onScopeDispose(() => clearInterval(timer))
  return now
}
