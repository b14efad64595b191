/**
 * One error shape for every answer: `{error: {code, message}}` (plus `current` for conflicts).
 * The custom error and not-found handlers make sure Fastify's default shapes never leak, and
 * that nothing a client sends can turn into a 500. The codes are listed in docs/protocol.md.
 */
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod/mini'
import { describeIssues } from '../../src/protocol/requests'
import type { ApiErrorBody } from '../../src/protocol/events'
import { isAppNavigation } from './navigation'

/** Throw from a handler to answer with this status and code. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly current?: unknown,
  ) {
    super(message)
  }
}

export function validationError(error: z.core.$ZodError): ApiError {
  return new ApiError(400, 'validation_failed', describeIssues(error))
}

export function sendError(reply: FastifyReply, statusCode: number, code: string, message: string, current?: unknown): FastifyReply {
  const body: ApiErrorBody = { error: current === undefined ? { code, message } : { code, message, current } }
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body)
}

/** Fastify's own client errors, renamed to stable snake_case codes clients can switch on. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_MISSING_CONTENT_TYPE: 'unsupported_media_type',
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer')
      return sendError(reply, error.statusCode, error.code, error.message, error.current)
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 400 && status < 500) {
      // JSON.parse errors carry statusCode 400 but no Fastify code.
      const code =
        (error.code && FASTIFY_CODES[error.code]) || (error instanceof SyntaxError ? 'invalid_json' : STATUS_CODES[status]) || 'bad_request'
      return sendError(reply, status, code, error.message)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendError(reply, 500, 'internal_error', 'Something went wrong on our side.')
  })
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator)
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)]
}

/**
 * `/track/ord_%E0%A4` → `/track/ord_%25E0%25A4`: every run of escapes that does not decode (and a
 * lone `%`) is written as literal text, so the path decodes to what was typed. Leading slashes
 * and backslashes collapse to one `/`, so the result is always a path on this origin (`//host`
 * would be another site).
 */
function repairedPath(path: string): string {
  const repaired = path.replace(/(?:%[0-9A-Fa-f]{2})+|%/g, (run) => {
    try {
      decodeURIComponent(run)
      return run
    } catch {
      return run.replaceAll('%', '%25')
    }
  })
  return repaired.replace(/^[/\\]*/, '/')
}

/**
 * Errors Fastify raises before routing (a URL that is not valid percent-encoding, a path
 * parameter past `maxParamLength`) bypass the error handler and would answer in Fastify's own
 * shape; pass this as the `frameworkErrors` option so they get the envelope too. Found by the
 * fuzz tests (`GET /api/orders/%ff`).
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendError(reply, 414, 'uri_too_long', 'A path segment is too long.')
    return
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    // A link mangled on its way (a chat app cutting an escape in half) still opens the app, which
    // says the link is broken: an HTML navigation is sent to the same path with the broken escapes
    // written as text. A JSON error would be all the customer sees on a first visit.
    const [path = '/', query] = splitOnce(request.url, '?')
    const location = repairedPath(path) + (query === undefined ? '' : `?${query}`)
    if (isAppNavigation(request.method, request.headers.accept, path) && /^\/[\x21-\x7e]*$/.test(location)) {
      void reply.code(302).header('location', location).header('cache-control', 'no-store').send()
      return
    }
  }
  const message = error.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid percent-encoding.' : 'The request could not be routed.'
  sendError(reply, 400, error.code === 'FST_ERR_BAD_URL' ? 'bad_url' : 'bad_request', message)
}

/**
 * Malformed HTTP (bad framing, oversized headers, timeouts) never reaches Fastify's routing: Node
 * reports it as `clientError`. Answer in the envelope as well, then close, as Node does.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, reason, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
        : [400, 'Bad Request', 'bad_request', 'The request is not valid HTTP.']
  const body = JSON.stringify({ error: { code, message } } satisfies ApiErrorBody)
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
