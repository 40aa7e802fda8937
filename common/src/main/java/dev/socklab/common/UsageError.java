package dev.socklab.common;

/**
 * A value on the command line that cannot be used, found after parsing (a port out of range, a
 * malformed {@code HOST:PORT}). {@link Cli} treats it as picocli treats a bad option: one line
 * naming the command, a pointer to {@code --help}, exit {@link Cli#EXIT_USAGE}.
 */
public final class UsageError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line for the user: which value is wrong and what is accepted
   */
  public UsageError(String message) {
    super(message, null, false, false);
  }
}
