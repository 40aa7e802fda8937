package dev.socklab.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class TransportTest {
  private final Transport.Converter converter = new Transport.Converter();

  @Test
  void valuesAreSpelledAsTheHelpSpellsThemInAnyCase() {
    assertThat(converter.convert("io_uring")).isEqualTo(Transport.IO_URING);
    assertThat(converter.convert("EPOLL")).isEqualTo(Transport.EPOLL);
    assertThat(Transport.IO_URING).hasToString("io_uring");
  }

  @Test
  void anUnknownValueNamesTheAcceptedOnes() {
    assertThatThrownBy(() -> converter.convert("uring"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'uring' is not a transport: use auto, epoll, io_uring or nio");
  }

  @Test
  void nettysFlightRecorderEventsAreOffUnlessAskedFor() {
    // Transport is initialised (the converter above): Netty reads the property after that.
    assertThat(Transport.NIO.resolve()).isEqualTo(Transport.NIO);
    assertThat(System.getProperty(Transport.NETTY_JFR)).isEqualTo("false");
    assertThat(PlatformDependent.isJfrEnabled()).isFalse();
  }

  @Test
  void nettysLeakDetectorIsOffUnlessAskedFor() {
    assertThat(Transport.NIO.resolve()).isEqualTo(Transport.NIO); // initialises Transport
    assertThat(System.getProperty(Transport.LEAK_DETECTION)).isEqualTo("disabled");
    // Read by Netty when its first buffer class is initialised: after Transport's.
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
  }
}
