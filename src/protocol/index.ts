// What every runtime shares. The request schemas (./requests.ts) are left out on purpose: they
// carry zod, which only the server and the checkout load.
export * from './order'
export * from './merge'
export * from './limits'
export * from './answers'
export * from './events'
export * from './http'
