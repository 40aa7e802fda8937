package dev.socklab.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireTest {
  @Test
  void roundTrip() {
    Wire w =
        new Wire(
            Wire.Type.ANNOUNCE,
            0,
            42,
            1_700_000_000_123L,
            Map.of("name", "lab 1", "udp_port", "7007"));
    assertThat(Wire.decode(ByteBuffer.wrap(w.encode()))).contains(w);
  }

  @Test
  void headerIsBigEndianByteForByteWithTheLargestValues() {
    byte[] b =
        new Wire(Wire.Type.BEACON, 0xFFFF, 0xFFFF_FFFFL, Long.MAX_VALUE, Map.of("k", "v")).encode();
    assertThat(HexFormat.of().formatHex(b, 0, Wire.HEADER))
        .isEqualTo(
            "534c4142" // "SLAB"
                + "01" // version
                + "03" // type BEACON
                + "ffff" // flags
                + "ffffffff" // sequence, 2^32-1 (unsigned)
                + "7fffffffffffffff"); // clock
    assertThat(new String(b, Wire.HEADER, b.length - Wire.HEADER)).isEqualTo("k=v\n");
    Wire back = Wire.decode(ByteBuffer.wrap(b)).orElseThrow();
    assertThat(back.sequence()).isEqualTo(0xFFFF_FFFFL);
    assertThat(back.flags()).isEqualTo(0xFFFF);
    assertThat(back.clockMillis()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aKnownDatagramDecodes() {
    byte[] raw =
        HexFormat.of()
            .parseHex(
                "534c4142" + "01" + "01" + "0000" + "00000102" + "0000018bcfe56800" + "613d620a");
    Wire w = Wire.decode(ByteBuffer.wrap(raw)).orElseThrow();
    assertThat(w.type()).isEqualTo(Wire.Type.DISCOVER);
    assertThat(w.sequence()).isEqualTo(258);
    assertThat(w.clockMillis()).isEqualTo(0x18bcfe56800L);
    assertThat(w.fields()).containsExactly(Map.entry("a", "b"));
  }

  @Test
  void anythingElseIsNotOurs() {
    assertThat(Wire.decode(ByteBuffer.wrap("hello".getBytes()))).isEmpty();
    assertThat(Wire.decode(ByteBuffer.wrap(new byte[0]))).isEmpty();
    byte[] wrongVersion = new Wire(Wire.Type.DISCOVER, 0, 0, 0, Map.of()).encode();
    wrongVersion[4] = 2;
    assertThat(Wire.decode(ByteBuffer.wrap(wrongVersion))).isEmpty();
    assertThatThrownBy(() -> new Wire(Wire.Type.DISCOVER, 0, 1L << 32, 0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
