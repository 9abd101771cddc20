/**
 * The one catalog of error codes Tandem answers with. Codes are stable: clients
 * may switch on them. Each has the HTTP status the API answers with.
 */
export const errorCatalog = {
  bad_request: 400,
  invalid_json: 400,
  json_too_deep: 400,
  validation_failed: 400,
  weak_password: 400,
  invalid_reset_token: 400,
  invalid_address_code: 400,
  sync_period_fixed: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_setup_code: 403,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  draft_deleted: 410,
  method_not_allowed: 405,
  conflict: 409,
  mailbox_exists: 409,
  setup_done: 409,
  conversation_changed: 409,
  payload_too_large: 413,
  message_too_large: 413,
  quota_exceeded: 413,
  unsupported_media_type: 415,
  auth_failed: 422,
  connection_failed: 422,
  host_not_allowed: 422,
  rate_limited: 429,
  account_locked: 429,
  internal: 500,
  send_failed: 502,
  unavailable: 503,
  storage_full: 507,
  reauthorization_required: 422,
  csrf_failed: 403,
} as const;

export type ErrorCode = keyof typeof errorCatalog;

/** A failure with a stable code and a message meant for the user. */
export class TandemError extends Error {
  override readonly name = 'TandemError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return errorCatalog[this.code];
  }
}
