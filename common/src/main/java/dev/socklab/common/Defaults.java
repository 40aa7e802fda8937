package dev.socklab.common;

/**
 * The well-known addresses of socklab's servers (DESIGN.md, "Defaults"), shared by each server and
 * its client so the two always agree.
 */
public final class Defaults {
  private Defaults() {}

  /** TCP port of {@code echo-server} (RFC 862 uses port 7; 7007 needs no privilege). */
  public static final int ECHO_PORT = 7007;

  /** How a user starts the echo server; quoted in "no server at ..." errors. */
  public static final String ECHO_SERVER_COMMAND = "./socklab echo-server";

  /** TCP port of {@code chat-server}. */
  public static final int CHAT_PORT = 7070;

  /** How a user starts the chat server. */
  public static final String CHAT_SERVER_COMMAND = "./socklab chat-server";
}
