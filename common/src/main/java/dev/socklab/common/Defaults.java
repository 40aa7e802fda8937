package dev.socklab.common;

/**
 * The well-known addresses of socklab's servers (docs/architecture.md, "Defaults"), shared by each
 * server and its client so the two always agree.
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

  /** UDP port of {@code udp-broadcast}: echo and discovery. */
  public static final int UDP_PORT = 7007;

  /** UDP port beacons are sent to and {@code udp-client listen} listens on. */
  public static final int BEACON_PORT = 7008;

  /**
   * Where beacons and discovery go unless the user names another address: the loopback broadcast
   * address, so that nothing leaves this host by default.
   */
  public static final String LOOPBACK_BROADCAST = "127.255.255.255";

  /** How a user starts the UDP server. */
  public static final String UDP_SERVER_COMMAND = "./socklab udp-broadcast";
}
