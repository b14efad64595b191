// Artillery processor for watchers.yml. `watchOrder` picks an order (round-robin per worker over
// ORDERLINE_ORDERS_FILE), sends the real `watchOrder` with its tracking token and waits for the
// ack; every `orderUpdated` afterwards is timed from the order's own `updatedAt` (the server's
// commit stamp, ms precision) and counted, so the report carries receipts and their latency.
'use strict'
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Artillery 2.0.21 require()s its processor
const { readFileSync } = require('node:fs')

const orders = JSON.parse(readFileSync(process.env.ORDERLINE_ORDERS_FILE, 'utf8'))
let next = Math.floor(Math.random() * orders.length)

function watchOrder(context, events, done) {
  const socket = context.sockets['']
  const order = orders[next++ % orders.length]
  socket.on('orderUpdated', (change) => {
    events.emit('counter', 'orderline.receipts', 1)
    events.emit('histogram', 'orderline.commit_to_receipt', Date.now() - Date.parse(change.order.updatedAt))
  })
  socket.timeout(20000).emit('watchOrder', order, (error, ack) => {
    if (error || !ack || !ack.ok) {
      events.emit('counter', 'orderline.watch_refused', 1)
      return done(new Error('watchOrder refused'))
    }
    events.emit('counter', 'orderline.watching', 1)
    done()
  })
}

module.exports = { watchOrder }
