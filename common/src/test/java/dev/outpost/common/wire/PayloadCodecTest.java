package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Choosing the codec of an exchange by its media type. */
class PayloadCodecTest {

  /** Verifies that media types select their codec whatever their case and parameters. */
  @Test
  void contentTypeSelectsTheCodec() {
    assertThat(PayloadCodec.forContentType("application/json; charset=utf-8"))
        .contains(PayloadCodec.JSON);
    assertThat(PayloadCodec.forContentType("Application/Octet-Stream"))
        .contains(PayloadCodec.BPICKLE);
    assertThat(PayloadCodec.forContentType("text/plain")).isEmpty();
    assertThat(PayloadCodec.forContentType(null)).isEmpty();
  }

  /** Verifies that each codec writes and reads its own encoding, in arrays and in Buffers. */
  @Test
  void eachCodecSpeaksItsEncoding() {
    Map<String, Object> ping = Map.of("messages", true);

    assertThat(PayloadCodec.BPICKLE.encodeToBuffer(ping))
        .isEqualTo(Buffer.buffer("du8:messagesb1;"));
    assertThat(PayloadCodec.JSON.encode(ping)).isEqualTo(JsonCodec.encode(ping));
    assertThat(PayloadCodec.JSON.decode(Buffer.buffer("{\"messages\":true}"))).isEqualTo(ping);
    assertThat(PayloadCodec.BPICKLE.mediaType()).isEqualTo("application/octet-stream");
  }
}
