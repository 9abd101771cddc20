import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { STORAGE_FULL_MESSAGE, storageStatus, TandemError } from '../errors/index.ts';
import type { ErrorCode } from '../errors/index.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** Fastify's own request errors, mapped to the catalog. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
};

/** Every failure leaves as `{ error: { code, message } }`; a bad request is never a 500. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof TandemError) {
    const details = error.details ? { details: error.details } : {};
    return { status: error.status, body: { error: { code: error.code, message: error.message, ...details } } };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const problems = error.validation.map((v) => {
      const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return field ? `${field}: ${v.message}` : (v.message ?? 'invalid');
    });
    return errorBody('validation_failed', `Invalid ${where}: ${problems.join('; ')}`);
  }
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped === 'invalid_json')
    return errorBody(mapped, `The request body is not valid JSON: ${fastifyError.message ?? ''}`.trim());
  if (mapped) return errorBody(mapped, fastifyError.message ?? mapped);
  if (error instanceof SyntaxError && fastifyError.statusCode === 400)
    return errorBody('invalid_json', `The request body is not valid JSON: ${error.message}`);
  if (
    !isResponseSerializationError(error) &&
    fastifyError.statusCode &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return {
      status: fastifyError.statusCode,
      body: { error: { code: 'bad_request', message: fastifyError.message ?? 'Bad request' } },
    };
  }
  if (storageStatus.noteFailure(error)) return errorBody('storage_full', STORAGE_FULL_MESSAGE);
  return errorBody('internal', 'Something went wrong on the server; its log has the details');
}

function errorBody(code: ErrorCode, message: string): { status: number; body: ErrorBody } {
  return { status: new TandemError(code, message).status, body: { error: { code, message } } };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorBody(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = errorBody('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(status).send(body);
  });
}
