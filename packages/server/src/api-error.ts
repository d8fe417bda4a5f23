/**
 * An HTTP failure in OpenAI's error shape (`{ error: { message, type, param, code } }`), so clients
 * written for OpenAI's Images API (the `openai` package, LangChain…) surface our messages unchanged.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** OpenAI's `type`: client mistakes are `invalid_request_error`, the rest say what happened. */
  get type(): string {
    if (this.status === 401) return 'authentication_error';
    if (this.status === 429) return 'rate_limit_error';
    if (this.status === 504) return 'timeout_error';
    return this.status < 500 ? 'invalid_request_error' : 'server_error';
  }

  /** The JSON body every error response carries. */
  body(): { error: { message: string; type: string; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A request field that fails validation: 400, naming the field as OpenAI does in `param`. */
export function invalidParam(param: string, message: string, code = 'invalid_value'): ApiError {
  return new ApiError(400, `${param}: ${message}`, code, param);
}
