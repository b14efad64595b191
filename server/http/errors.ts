/**
 * One error shape for every answer: `{error: {code, message}}` (plus `current` for conflicts).
 * The custom error and not-found handlers make sure Fastify's default shapes never leak, and
 * that nothing a client sends can turn into a 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { ZodError } from 'zod'
import { describeIssues } from '../../src/protocol/schemas'
import type { ApiErrorBody } from '../../src/protocol/events'

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

export function validationError(error: ZodError): ApiError {
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
      const code = (error.code && FASTIFY_CODES[error.code]) || (error instanceof SyntaxError ? 'invalid_json' : STATUS_CODES[status]) || 'bad_request'
      return sendError(reply, status, code, error.message)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendError(reply, 500, 'internal_error', 'Something went wrong on our side.')
  })
}
