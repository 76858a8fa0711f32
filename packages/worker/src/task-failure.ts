/**
 * Thrown by a handler (or by `ctx.fail`) to fail its task with the agent's own error code. With
 * `retryable: false` the step fails for good; otherwise the engine may offer the step again
 * (within its retry policy). Any other error a handler throws fails the task as HANDLER_ERROR, retryable.
 */
export class TaskFailure extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TaskFailure';
    this.code = code;
    this.retryable = options.retryable ?? true;
  }
}
