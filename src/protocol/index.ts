export * from './order'
export * from './merge'
export * from './schemas'
export * from './events'
