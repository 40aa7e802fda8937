package dev.socklab.bench;

import static dev.socklab.common.testing.CommandRun.assertUsageError;

import org.junit.jupiter.api.Test;

/** {@code socklab bench}'s usage errors: exit 2, one line that says what is wrong. */
class UsageErrorsTest {
  private static void assertBench(String mode, String firstLine, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = mode;
    System.arraycopy(args, 0, all, 1, args.length);
    assertUsageError(new BenchCommand(), "socklab bench " + mode, firstLine, all);
  }

  @Test
  void noTarget() {
    assertBench("echo", "name a server to measure: HOST:PORT, unix:PATH or abstract:NAME");
    assertBench("chat", "name a server to measure: HOST:PORT, unix:PATH or abstract:NAME");
  }

  @Test
  void badSweep() {
    assertBench(
        "echo",
        "--sweep takes PARAM=V1,V2,... (e.g. conns=1,10,100), not 'conns'",
        "7007",
        "--sweep",
        "conns");
    assertBench(
        "echo", "--sweep conns: 'ten' is not a whole number", "7007", "--sweep", "conns=ten");
  }

  @Test
  void startCommands() {
    assertBench(
        "start",
        "'./socklab echo-server --port 0': name each command, NAME=COMMAND"
            + " (echo='./socklab echo-server --port 0')",
        "./socklab echo-server --port 0");
    assertBench("start", "'a=X=1': no command after a=", "a=X=1");
    assertBench(
        "start", "give each command a name of its own: a=true a=false", "a=true", "a=false");
    assertBench("start", "--runs must be 1 to 1000, not 0", "a=true", "--runs", "0");
    assertBench("start", "--timeout must be more than 0", "a=true", "--timeout", "0");
    assertBench(
        "start", "--warmup-runs must be 0 to 100, not 101", "a=true", "--warmup-runs", "101");
  }

  @Test
  void unknownSweepParameter() {
    assertBench(
        "udp",
        "bench udp cannot sweep 'conns': window, size or rate",
        "7007",
        "--sweep",
        "conns=1,2");
    assertBench(
        "chat",
        "bench chat cannot sweep 'pipeline': clients, size, rate or window",
        "7070",
        "--sweep",
        "pipeline=1,2");
    assertBench("conns", "bench conns cannot sweep 'size': conns", "7007", "--sweep", "size=16");
  }

  @Test
  void badRate() {
    assertBench(
        "chat",
        "Invalid value for option '--rate': 'fast' is not a rate: give messages per second, e.g."
            + " 2000/s",
        "7070",
        "--rate",
        "fast");
  }

  @Test
  void sizeOutOfRange() {
    assertBench("udp", "size must be 16 to 65507, not 65508", "7007", "--size", "65508");
    assertBench("chat", "size must be 48 to 4096, not 47", "7070", "--size", "47");
    assertBench("conns", "size must be 16 to 1048576, not 8", "7007", "--size", "8");
  }

  @Test
  void durationAndCountTogether() {
    assertBench(
        "conns",
        "give --duration or --count, not both",
        "7007",
        "--duration",
        "1s",
        "--count",
        "5");
  }

  @Test
  void anAddressWithNoPort() {
    assertBench("udp", "'localhost' has no port: give HOST:PORT or PORT", "localhost");
  }

  @Test
  void aUnixSocketForUdp() {
    assertBench("udp", "bench udp measures HOST:PORT servers, not /tmp/x.sock", "unix:/tmp/x.sock");
  }
}
