import { ref } from 'vue'

/**
 * The message a user sees for anything a step threw. The request client's errors (ApiError) already
 * carry the translated text (`errors.<code>`, field and section details) in `message`.
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export interface RunOptions {
  /**
   * Handle some errors yourself (a 404, a 409, field errors): return the message to show, '' to show
   * none, or undefined for the default `errorMessage(e)`. May be async (e.g. reload, then answer);
   * `loading` stays true until it settles.
   */
  onError?: (e: unknown) => string | undefined | void | Promise<string | undefined | void>
}

export interface AsyncOptions {
  /** Also hand every non-empty message to this, e.g. `(m) => ElMessage.error(m)` for steps with no error slot. */
  notify?: (message: string) => void
}

/**
 * One loading flag and one error message for an async step:
 * `loading` is true while `run(fn)` runs, `error` is '' or the user's message of what `fn` threw.
 * `run` never rethrows; it resolves to `fn`'s value, or undefined when `fn` failed.
 */
export function useAsync(options: AsyncOptions = {}) {
  const loading = ref(false)
  const error = ref('')

  async function run<T>(fn: () => Promise<T>, opts: RunOptions = {}): Promise<T | undefined> {
    loading.value = true
    error.value = ''
    try {
      return await fn()
    } catch (e) {
      const own = opts.onError ? await opts.onError(e) : undefined
      const message = own ?? errorMessage(e)
      error.value = message
      if (message) options.notify?.(message)
      return undefined
    } finally {
      loading.value = false
    }
  }

  return { loading, error, run }
}
