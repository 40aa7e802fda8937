package dev.socklab.check;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.socklab.client.Conn;
import java.util.Arrays;
import java.util.List;

/** The cases of a stream echo server (RFC 862), over TCP or AF_UNIX. */
final class EchoCases {
  private EchoCases() {}

  static List<CheckCase> all() {
    return List.of(
        new CheckCase(
            "basic",
            Kind.ECHO,
            false,
            "a line sent comes back, byte for byte",
            "the server does not write back what it reads (or writes to the wrong descriptor)",
            "read(2)/write(2): the echo loop",
            EchoCases::basic));
  }

  private static Outcome basic(Probe p) throws Exception {
    Conn c = p.connect();
    byte[] line = "hello from socklab check\n".getBytes(US_ASCII);
    c.out().write(line);
    p.sent("client", line, 0, line.length);
    byte[] back = p.readExactly(c, line.length, "client");
    if (!Arrays.equals(back, line)) {
      int at = Arrays.mismatch(back, line);
      return Outcome.fail(
          "the same " + line.length + " bytes back",
          String.format("byte %d differs: sent 0x%02x, got 0x%02x", at, line[at], back[at]),
          "the echo loop changes the bytes (a buffer reused or indexed wrong)");
    }
    return Outcome.pass();
  }
}
