package dev.socklab.chat;

import java.util.Locale;

/**
 * Makes text from one client safe to show on everyone else's terminal, and checks nicknames.
 *
 * <p>Removed: C0 controls except TAB (ESC starts terminal escape sequences, CR rewrites the line,
 * BEL rings), DEL, C1 controls (U+0080-009F, e.g. the one-byte CSI U+009B), Unicode format
 * characters (category Cf: bidi embeddings, overrides and isolates U+202A-202E and U+2066-2069,
 * zero-width U+200B-200F, the BOM U+FEFF, soft hyphen...), and the line and paragraph separators
 * U+2028/2029. What is left cannot move the cursor, change colours or reorder what others see, and
 * a nickname cannot hide an invisible character to pass for another.
 */
public final class Sanitizer {
  /** Longest nickname, in code points. */
  public static final int MAX_NICK = 20;

  private Sanitizer() {}

  /**
   * Removes every character that could act on a terminal or hide in text.
   *
   * @param text decoded text of one line, without its line terminator
   * @return the text without control, format and separator characters
   */
  public static String clean(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      if (isUnsafe(cp)) {
        if (out == null) {
          out = new StringBuilder(text.length()).append(text, 0, i);
        }
      } else if (out != null) {
        out.appendCodePoint(cp);
      }
      i += width;
    }
    return out == null ? text : out.toString();
  }

  /**
   * @param cp a Unicode code point
   * @return whether {@link #clean(String)} removes it
   */
  public static boolean isUnsafe(int cp) {
    if (cp == '\t') {
      return false;
    }
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
      return true; // C0, DEL, C1
    }
    int type = Character.getType(cp);
    return type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE; // a lone surrogate: not text
  }

  /**
   * Checks a nickname: 1-{@value #MAX_NICK} letters or digits of any script (Hangul, Latin,
   * Cyrillic...), {@code _} or {@code -}.
   *
   * @param nick a candidate, already {@link #clean cleaned}
   * @return null if it is valid, otherwise why not (for an error line)
   */
  public static String nickProblem(String nick) {
    int n = nick.codePointCount(0, nick.length());
    if (n < 1 || n > MAX_NICK) {
      return "a nick is 1-" + MAX_NICK + " letters, digits, _ or -";
    }
    boolean ok =
        nick.codePoints().allMatch(cp -> Character.isLetterOrDigit(cp) || cp == '_' || cp == '-');
    return ok
        ? null
        : "a nick is 1-" + MAX_NICK + " letters, digits, _ or - (no spaces or symbols)";
  }

  /**
   * The form under which nicknames are compared: two nicks that differ only in case are the same
   * nick.
   *
   * @param nick a nickname
   * @return its case-folded form
   */
  public static String fold(String nick) {
    return nick.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }
}
