package dev.socklab.check;

/**
 * One check: a stable name, what it proves, the bug a failure most likely means, the course topic,
 * and the code that runs it. docs/check.md lists every case from the same fields.
 *
 * @param name stable, lower-case with dashes, e.g. {@code "half-close"}
 * @param kind which kind of server it checks
 * @param lifecycle true if it needs {@code --exec} (it starts and stops the server itself)
 * @param proves one sentence: what a server that passes does
 * @param hint the likely bug when it fails, in the course's words
 * @param topic the course topic, e.g. {@code "shutdown(2) and half-close"}
 * @param body the check itself; bounded in time and traffic
 */
public record CheckCase(
    String name,
    Kind kind,
    boolean lifecycle,
    String proves,
    String hint,
    String topic,
    Body body) {

  /** The code of a case. */
  @FunctionalInterface
  public interface Body {
    /**
     * Runs the case against the target the probe reaches.
     *
     * @param p connections, timeouts, the seeded random source, the transcript
     * @return the verdict; a {@link CaseFailed} thrown anywhere is a FAIL too
     * @throws Exception an I/O failure the case did not expect (reported as FAIL with its errno)
     */
    Outcome run(Probe p) throws Exception;
  }
}
