package dev.socklab.common;

/**
 * A failure the user caused and can fix (port in use, bad address, no server listening...).
 *
 * <p>{@link Cli} prints its message as one line, prefixed with the command name, with no stack
 * trace, and exits with {@link Cli#EXIT_FAILURE}. The message must say what happened and what to do
 * about it.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line for the user: what went wrong and how to fix it
   */
  public UserError(String message) {
    super(message, null, false, false);
  }

  /**
   * @param message one line for the user: what went wrong and how to fix it
   * @param cause the underlying exception, kept for debugging but never printed to the user
   */
  public UserError(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
