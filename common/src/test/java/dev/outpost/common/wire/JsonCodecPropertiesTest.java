package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of the JSON codec over the values JSON carries and over untrusted bodies. */
class JsonCodecPropertiesTest {

  @Provide
  Arbitrary<Object> values() {
    return WireArbitraries.jsonValues();
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    return Mutation.any();
  }

  /** Verifies that decoding an encoding gives back the value, for the JSON-representable model. */
  @Property
  void decodingInvertsEncoding(@ForAll("values") Object value) {
    assertThat(JsonCodec.decode(JsonCodec.encode(value))).isEqualTo(value);
  }

  /** Verifies that arbitrary bytes either decode or fail with the 400, and nothing else. */
  @Property
  void arbitraryBytesDecodeOrFailCleanly(@ForAll @Size(max = 64) byte[] body) {
    assertDecodesOrFailsCleanly(body);
  }

  /** Verifies the same for valid encodings with one byte cut, changed, added or dropped. */
  @Property
  void damagedEncodingsDecodeOrFailCleanly(
      @ForAll("values") Object value, @ForAll("mutations") Mutation mutation) {
    assertDecodesOrFailsCleanly(mutation.applyTo(JsonCodec.encode(value)));
  }

  /** Fails the property on any exception other than the 400. */
  private static void assertDecodesOrFailsCleanly(byte[] body) {
    Object decoded;
    try {
      decoded = JsonCodec.decode(body);
    } catch (MalformedPayloadException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).startsWith("malformed JSON payload");
      return;
    }
    assertThat(JsonCodec.decode(JsonCodec.encode(decoded))).isEqualTo(decoded);
  }
}
