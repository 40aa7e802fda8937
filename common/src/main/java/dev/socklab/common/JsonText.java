package dev.socklab.common;

import java.util.Locale;

/**
 * JSON text for the reports socklab writes without a JSON library (check's report, bench's
 * results): string literals escaped as RFC 8259 section 7 says.
 */
public final class JsonText {
  private JsonText() {}

  /**
   * A JSON string literal: quotes, backslash and control characters (below U+0020) escaped; every
   * other character, non-ASCII included, as is (RFC 8259 allows UTF-8 text).
   *
   * @param s the text, or null
   * @return it quoted, e.g. {@code "a \"b\"\n"}; {@code null} (the JSON literal) for null
   */
  public static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
