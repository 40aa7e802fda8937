package dev.socklab.check;

import java.util.List;

/** The cases of a udp server. */
final class UdpCases {
  private UdpCases() {}

  static List<CheckCase> all() {
    return List.of();
  }
}
