package dev.socklab.check;

import java.util.List;

/** Cases that start, signal and restart the server themselves: only with {@code --exec}. */
final class LifecycleCases {
  private LifecycleCases() {}

  static List<CheckCase> of(Kind kind) {
    return List.of();
  }
}
