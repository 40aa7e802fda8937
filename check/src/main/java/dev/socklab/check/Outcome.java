package dev.socklab.check;

/**
 * What one case found.
 *
 * @param status the verdict
 * @param detail for PASS a short note (e.g. a loss figure), for SKIP and WARN the reason; may be ""
 * @param expected on FAIL, what a correct server does
 * @param seen on FAIL, what this server did
 * @param hint on FAIL, the likely bug in the words of the course; "" when none is known
 */
public record Outcome(Status status, String detail, String expected, String seen, String hint) {
  /** A case's verdict. */
  public enum Status {
    /** The server did what the case asks. */
    PASS,
    /** It did not: {@link Outcome#expected()}, {@link Outcome#seen()}, {@link Outcome#hint()}. */
    FAIL,
    /** The case does not apply here (e.g. RST over AF_UNIX, lifecycle without --exec). */
    SKIP,
    /** Not a failure, but worth knowing (a promise not all servers make). */
    WARN
  }

  /**
   * @return a plain pass
   */
  public static Outcome pass() {
    return new Outcome(Status.PASS, "", "", "", "");
  }

  /**
   * @param detail a short note, e.g. {@code "0.3% lost (3 of 1000)"}
   * @return a pass with a note
   */
  public static Outcome pass(String detail) {
    return new Outcome(Status.PASS, detail, "", "", "");
  }

  /**
   * @param why why the case does not apply
   * @return a skip
   */
  public static Outcome skip(String why) {
    return new Outcome(Status.SKIP, why, "", "", "");
  }

  /**
   * @param why what is worth knowing
   * @return a warning
   */
  public static Outcome warn(String why) {
    return new Outcome(Status.WARN, why, "", "", "");
  }

  /**
   * @param expected what a correct server does
   * @param seen what this one did
   * @param hint the likely bug, in the course's words
   * @return a failure
   */
  public static Outcome fail(String expected, String seen, String hint) {
    return new Outcome(Status.FAIL, "", expected, seen, hint);
  }
}
