// Gzipped size of the JavaScript the login page loads: the entry chunk, its static imports and
// the login route's chunk with its imports (from dist/.vite/manifest.json). Run after `npm run build`.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const manifest = JSON.parse(readFileSync('dist/.vite/manifest.json', 'utf8'))
const seen = new Set()
const walk = (key) => {
  if (seen.has(key)) return
  seen.add(key)
  for (const dep of manifest[key].imports ?? []) walk(dep)
}
walk('index.html')
const entryKeys = new Set(seen)
walk(Object.keys(manifest).find((k) => k.endsWith('LoginView.vue')))

let entryTotal = 0
let total = 0
for (const key of seen) {
  const file = manifest[key].file
  const gz = gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length
  total += gz
  if (entryKeys.has(key)) entryTotal += gz
  console.log(`${String(gz).padStart(8)}  ${file}${entryKeys.has(key) ? '' : '  (login route)'}`)
}
console.log(`${String(entryTotal).padStart(8)}  entry chunks (gzip bytes)`)
console.log(`${String(total).padStart(8)}  initial JS on the login page (gzip bytes)`)
