// What the tests share: the built package (RJOSE_WASM_PKG, by default
// target/rjose-wasm/nodejs as js/build.sh leaves it) and npm `jose`, the
// version pinned for the interop tests in interop/node (installed there by
// `interop/setup.sh node`), so that one pin serves every interop check.

import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const require = createRequire(import.meta.url)

export const rjose = require(
  process.env.RJOSE_WASM_PKG
    ? path.resolve(process.env.RJOSE_WASM_PKG, 'rjose_wasm.js')
    : path.join(root, 'target/rjose-wasm/nodejs/rjose_wasm.js'),
)
const fromInterop = createRequire(path.join(root, 'interop/node/package.json'))
export const jose = await import(pathToFileURL(fromInterop.resolve('jose')))
export const joseVersion = fromInterop('jose/package.json').version

export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'

/** Runs `fn` and returns what it threw; fails the test if it returned. */
export function thrown(fn) {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an exception')
}
