package dev.socklab.dist;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.Activation;
import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units of deploy/systemd, as installed by docs/daemon.md: the release tarball unpacked
 * as /opt/socklab, the units in /etc/systemd/system, all inside a temporary root.
 *
 * <p>{@code systemd-analyze verify --root=ROOT} checks the units verbatim, including that their
 * ExecStart, /opt/socklab/bin/socklab, exists and is executable inside ROOT (it is the release's
 * own launcher). The root also holds a copy of the host's /usr/lib/systemd/system, since verify
 * loads the targets the units depend on (sockets.target, sysinit.target) from the root too. Then
 * each unit's ExecStart runs under systemd-socket-activate with what its .socket says (Accept=,
 * ListenStream= moved to a free loopback port or a temporary path): no running systemd needed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SystemdUnitsIT {
  private static final Duration RUN = Duration.ofSeconds(60);
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir static Path root;

  private static Path units;

  @BeforeAll
  static void install() throws IOException {
    Path opt = Files.createDirectories(root.resolve("opt"));
    run("tar", "-xzf", System.getProperty("socklab.tarball"), "-C", opt.toString());
    // /opt/socklab -> socklab-VERSION, as docs/daemon.md installs it
    Files.createSymbolicLink(
        opt.resolve("socklab"), Path.of("socklab-" + System.getProperty("socklab.version")));
    units = Files.createDirectories(root.resolve("etc/systemd/system"));
    // The units as the release ships them, the same files as the clone's deploy/systemd.
    try (var files = Files.list(opt.resolve("socklab/deploy/systemd"))) {
      for (Path unit : files.toList()) {
        Files.copy(unit, units.resolve(unit.getFileName()));
      }
    }
    Files.createDirectories(root.resolve("usr/lib/systemd"));
    run("cp", "-r", "/usr/lib/systemd/system", root.resolve("usr/lib/systemd").toString());
  }

  private static void run(String... command) {
    Proc.Result r = Proc.run(RUN, new byte[0], List.of(command));
    assertThat(r.exit()).as(String.join(" ", command) + ": " + r.stderr()).isZero();
  }

  @Test
  void systemdAnalyzeVerifiesEveryUnitClean() throws IOException {
    Tools.requireSystemdAnalyze();
    List<String> command =
        new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no", "--root=" + root));
    try (var files = Files.list(units)) {
      files.map(Path::toString).sorted().forEach(command::add);
    }
    assertThat(command).hasSize(4 + 6);
    Proc.Result r = Proc.run(RUN, new byte[0], command);
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.out() + r.stderr()).as("warnings are failures too").isEmpty();
  }

  @Test
  void echoPerConnectionServesEachClient() throws Exception {
    try (RunningProcess manager = activate("socklab-echo.socket", "socklab-echo@.service")) {
      try (Socket s = Activation.connect(port(manager), START)) {
        s.getOutputStream().write("hi\n".getBytes(US_ASCII));
        assertThat(s.getInputStream().readNBytes(3)).isEqualTo("hi\n".getBytes(US_ASCII));
      }
    }
  }

  @Test
  void chatServiceServesTheSocketItIsGiven() throws Exception {
    try (RunningProcess manager = activate("socklab-chat.socket", "socklab-chat.service")) {
      try (Socket s = Activation.connect(port(manager), START)) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
        assertThat(in.readLine()).startsWith("* welcome to socklab chat");
      }
    }
  }

  @Test
  void udsServiceServesTheSocketItIsGiven() throws Exception {
    try (RunningProcess manager = activate("socklab-uds.socket", "socklab-uds.service")) {
      Path path = root.resolve("echo.sock");
      await().atMost(START).until(() -> Files.exists(path));
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(path));
        ch.write(ByteBuffer.wrap("hi\n".getBytes(US_ASCII)));
        ByteBuffer back = ByteBuffer.allocate(3);
        while (back.hasRemaining() && ch.read(back) >= 0) {
          // blocking reads until the three bytes are back; bounded by the buffer
        }
        assertThat(back.array()).isEqualTo("hi\n".getBytes(US_ASCII));
      }
    }
  }

  // systemd-socket-activate with the socket unit's Accept= and ListenStream= (a TCP port becomes
  // a free loopback port, a path one in the temporary root) and the service's ExecStart, whose
  // /opt/socklab is the one in the root.
  private static RunningProcess activate(String socketUnit, String serviceUnit) throws IOException {
    Tools.requireSystemdSocketActivate();
    String socket = Files.readString(units.resolve(socketUnit));
    String service = Files.readString(units.resolve(serviceUnit));
    String listen = value(socket, "ListenStream");
    listen =
        listen.startsWith("/")
            ? root.resolve("echo.sock").toString()
            : "127.0.0.1:" + Activation.freePort();
    boolean accept = "yes".equals(value(socket, "Accept"));
    List<String> exec =
        new ArrayList<>(
            Arrays.asList(
                value(service, "ExecStart")
                    .replace("/opt/socklab", root + "/opt/socklab")
                    .split(" ")));
    return RunningProcess.startCommand(
        Activation.socketActivate(
            listen,
            accept,
            "socket".equals(value(service, "StandardInput")),
            List.of("JAVA_HOME=" + System.getProperty("java.home")),
            exec));
  }

  private static String value(String unit, String key) {
    return unit.lines()
        .filter(l -> l.startsWith(key + "="))
        .map(l -> l.substring(key.length() + 1).trim())
        .findFirst()
        .orElse("");
  }

  // The port systemd-socket-activate says it listens on: "Listening on 127.0.0.1:PORT as 3."
  private static int port(RunningProcess manager) {
    String line = manager.awaitStderr("Listening on 127.0.0.1:", START);
    return Integer.parseInt(line.replaceAll(".*127\\.0\\.0\\.1:(\\d+).*", "$1"));
  }
}
