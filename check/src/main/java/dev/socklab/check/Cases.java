package dev.socklab.check;

import java.util.ArrayList;
import java.util.List;

/** Every case of a kind, in the order they run: protocol cases, then lifecycle cases. */
final class Cases {
  private Cases() {}

  /**
   * @param kind the kind of server
   * @return its cases; names are stable (scripts and autograders select them with --only)
   */
  static List<CheckCase> of(Kind kind) {
    List<CheckCase> all =
        new ArrayList<>(
            switch (kind) {
              case ECHO -> EchoCases.all();
              case CHAT -> ChatCases.all();
              case UDP -> UdpCases.all();
            });
    all.addAll(LifecycleCases.of(kind));
    return all;
  }
}
