package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EndpointsTest {
  @Test
  void parsesEveryFormUsersType() {
    assertThat(Endpoints.parse("7007", "localhost", 1)).hasToString("localhost:7007");
    assertThat(Endpoints.parse("example.test:80", "localhost", 1)).hasToString("example.test:80");
    assertThat(Endpoints.parse("127.0.0.1:9", "localhost", 1)).hasToString("127.0.0.1:9");
    assertThat(Endpoints.parse("[::1]:7007", "localhost", 1)).hasToString("[::1]:7007");
    assertThat(Endpoints.parse("::1", "localhost", 7007)).hasToString("[::1]:7007");
    assertThat(Endpoints.parse("myhost", "localhost", 7007)).hasToString("myhost:7007");
    assertThat(Endpoints.parse(":8000", "localhost", 1)).hasToString("localhost:8000");
  }

  @Test
  void rejectsBadPortsWithTheReason() {
    assertThatThrownBy(() -> Endpoints.parse("host:http", "h", 1))
        .hasMessageContaining("bad port 'http'");
    assertThatThrownBy(() -> Endpoints.parse("0", "h", 1)).hasMessageContaining("1-65535");
    assertThatThrownBy(() -> Endpoints.parse("[::1:80", "h", 1))
        .hasMessageContaining("missing ']'");
  }

  @Test
  void formatsAddressesAsUsersWriteThem() throws Exception {
    assertThat(Endpoints.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5)))
        .isEqualTo("127.0.0.1:5");
    assertThat(Endpoints.format(new InetSocketAddress(InetAddress.getByName("::1"), 5)))
        .isEqualTo("[::1]:5");
    assertThat(Endpoints.format(new InetSocketAddress(InetAddress.getByName("fe80::1:0:0:2"), 5)))
        .isEqualTo("[fe80::1:0:0:2]:5");
    assertThat(Endpoints.format(new InetSocketAddress(7007))).isIn("[::]:7007", "0.0.0.0:7007");
    assertThat(Endpoints.hostToReach(new InetSocketAddress(7007))).isEqualTo("localhost");
  }
}
