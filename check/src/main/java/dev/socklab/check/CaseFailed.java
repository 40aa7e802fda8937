package dev.socklab.check;

/**
 * Thrown inside a case to fail it from any depth (a helper that reads an echo, say); the runner
 * turns it into {@link Outcome#fail}.
 */
public final class CaseFailed extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String expected;
  private final String seen;
  private final String hint;

  /**
   * @param expected what a correct server does
   * @param seen what this one did
   * @param hint the likely bug, in the course's words; "" to use the case's own
   */
  public CaseFailed(String expected, String seen, String hint) {
    super(seen, null, false, false);
    this.expected = expected;
    this.seen = seen;
    this.hint = hint;
  }

  /**
   * @param defaultHint the case's hint, used when this failure names none
   * @return the outcome
   */
  Outcome outcome(String defaultHint) {
    return Outcome.fail(expected, seen, hint.isEmpty() ? defaultHint : hint);
  }
}
