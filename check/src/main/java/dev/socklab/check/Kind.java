package dev.socklab.check;

import java.util.Locale;

/** What kind of server is checked: the protocol the cases speak. */
public enum Kind {
  /** A stream echo server (RFC 862): TCP, or AF_UNIX with --unix/--abstract. */
  ECHO,
  /** A line-based chat relay: each line a member sends reaches every other member. */
  CHAT,
  /** A UDP echo server (RFC 862 UDP): each datagram back to its sender. */
  UDP;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
