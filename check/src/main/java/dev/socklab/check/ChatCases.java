package dev.socklab.check;

import java.util.List;

/** The cases of a chat server. */
final class ChatCases {
  private ChatCases() {}

  static List<CheckCase> all() {
    return List.of();
  }
}
