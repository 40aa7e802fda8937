package dev.socklab.netinfo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code socklab resolve} as {@code ./socklab} runs it (its own JVM, so no cached look-up of an
 * earlier test answers): a name that does not exist, and names of our own in an /etc/hosts that
 * exists only in a private mount namespace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResolveIT {
  // A resolver with no DNS server to ask gives up after its timeouts (resolv.conf: 5 s, 2 tries).
  private static final Duration LOOKUP = Duration.ofSeconds(30);

  private static final String HOSTS =
      """
      127.0.0.1 localhost
      ::1 localhost ip6-localhost
      127.1.2.3 db.socklab.test db
      fd00::53 db.socklab.test db
      """;

  /**
   * RFC 6761 reserves .invalid and asks resolvers to fail it at once; glibc does not know that and
   * asks DNS, which answers NXDOMAIN (EAI_NONAME), or on a closed network does not answer
   * (EAI_AGAIN) after its timeouts. Either is one line and exit 1, within {@link #LOOKUP}.
   */
  @Test
  void aNameThatDoesNotExistIsOneLineAndExitOne() {
    Proc.Result r = Proc.run(LOOKUP, new byte[0], RunningProcess.command("resolve", "foo.invalid"));
    assertThat(r.exit()).as(r.stderr()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.stderr().lines().toList())
        .singleElement()
        .satisfiesAnyOf(
            l -> assertThat(l).isEqualTo("socklab resolve: no such host: foo.invalid (EAI_NONAME)"),
            l ->
                assertThat(l)
                    .startsWith("socklab resolve: cannot look up foo.invalid now (EAI_AGAIN)"));
  }

  @Test
  void namesFromAnEtcHostsOfOurOwn(@TempDir Path dir) throws IOException {
    Path hosts = privateResolver(dir);
    Proc.Result all = inNamespace(dir, hosts, "resolve", "db");
    assertThat(all.exit()).as(all.stderr()).isZero();
    assertThat(all.out())
        .startsWith("db: 2 addresses\n")
        .containsPattern("(?m)^  AF_INET +127\\.1\\.2\\.3 +name: db\\.socklab\\.test$")
        .containsPattern("(?m)^  AF_INET6 +fd00::53 +name: db\\.socklab\\.test$")
        .endsWith("canonical name: db.socklab.test\n");

    Proc.Result v6 = inNamespace(dir, hosts, "resolve", "db", "-6");
    assertThat(v6.out())
        .isEqualTo(
            "db: 1 address (of 2)\n  AF_INET6  fd00::53  name: db.socklab.test\n"
                + "canonical name: db.socklab.test\n");

    Proc.Result v4 = inNamespace(dir, hosts, "resolve", "db", "-4");
    assertThat(v4.out())
        .isEqualTo(
            "db: 1 address (of 2)\n  AF_INET   127.1.2.3  name: db.socklab.test\n"
                + "canonical name: db.socklab.test\n");

    Proc.Result reverse = inNamespace(dir, hosts, "resolve", "127.1.2.3");
    assertThat(reverse.out()).isEqualTo("127.1.2.3 (AF_INET) is db.socklab.test\n");

    Proc.Result reverse6 = inNamespace(dir, hosts, "resolve", "::1");
    assertThat(reverse6.out()).isEqualTo("::1 (AF_INET6) is localhost\n");

    // With /etc/hosts the only source, a missing name fails here and now, without DNS.
    Proc.Result missing = inNamespace(dir, hosts, "resolve", "foo.invalid");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.stderr())
        .isEqualTo("socklab resolve: no such host: foo.invalid (EAI_NONAME)\n");
  }

  // The files bind-mounted over /etc/hosts and /etc/nsswitch.conf ("hosts: files": no DNS).
  private static Path privateResolver(Path dir) throws IOException {
    Tools.requireRoot("bind-mounting a hosts file over /etc/hosts in a mount namespace");
    Tools.skipOrFail(Tools.onPath("unshare"), "unshare is not installed (util-linux)");
    Files.writeString(dir.resolve("nsswitch.conf"), "hosts: files\n");
    return Files.writeString(dir.resolve("hosts"), HOSTS);
  }

  // unshare --mount: the bind mounts are seen by this one command only, never by the host.
  private static Proc.Result inNamespace(Path dir, Path hosts, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "sh",
                "-c",
                "mount --bind \"$1\" /etc/hosts && mount --bind \"$2\" /etc/nsswitch.conf"
                    + " && shift 2 && exec \"$@\"",
                "sh",
                hosts.toString(),
                dir.resolve("nsswitch.conf").toString()));
    command.addAll(RunningProcess.command(args));
    Proc.Result r = Proc.run(LOOKUP, new byte[0], command);
    assertThat(r.stderr()).as("mount in the namespace").doesNotContain("mount:");
    return r;
  }
}
