package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of bpickle over the whole value model and over bodies nobody should trust. */
class BpicklePropertiesTest {

  @Provide
  Arbitrary<Object> values() {
    return WireArbitraries.bpickleValues();
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    return Mutation.any();
  }

  @Provide
  Arbitrary<byte[]> bpickleLike() {
    return Mutation.bytes().array(byte[].class).ofMaxSize(48);
  }

  /** Verifies that decoding an encoding gives back the value, and re-encoding the same bytes. */
  @Property
  void decodingInvertsEncoding(@ForAll("values") Object value) {
    byte[] wire = Bpickle.encode(value);

    Object decoded = Bpickle.decode(wire);

    assertThat(decoded).isEqualTo(value);
    assertThat(Bpickle.encode(decoded)).isEqualTo(wire);
  }

  /** Verifies that every strict prefix of an encoding is refused: bpickle is self-delimiting. */
  @Property(tries = 200)
  void everyTruncationIsRefused(@ForAll("values") Object value) {
    byte[] wire = Bpickle.encode(value);

    for (int length = 0; length < wire.length; length++) {
      byte[] truncated = Arrays.copyOf(wire, length);
      assertThat(
              catchThrowableOfType(
                  MalformedPayloadException.class, () -> Bpickle.decode(truncated)))
          .as("prefix of length %d", length)
          .isNotNull();
    }
  }

  /** Verifies that arbitrary bytes either decode or fail with the 400, and nothing else. */
  @Property
  void arbitraryBytesDecodeOrFailCleanly(@ForAll @Size(max = 64) byte[] body) {
    assertDecodesOrFailsCleanly(body);
  }

  /** Verifies the same for bytes drawn mostly from bpickle's own alphabet, which go deeper. */
  @Property
  void bpickleLikeBytesDecodeOrFailCleanly(@ForAll("bpickleLike") byte[] body) {
    assertDecodesOrFailsCleanly(body);
  }

  /** Verifies the same for valid encodings with one byte cut, changed, added or dropped. */
  @Property
  void damagedEncodingsDecodeOrFailCleanly(
      @ForAll("values") Object value, @ForAll("mutations") Mutation mutation) {
    assertDecodesOrFailsCleanly(mutation.applyTo(Bpickle.encode(value)));
  }

  /**
   * Fails the property on any exception other than the 400; and a body that does decode must be a
   * value of the model, so it re-encodes and reads back the same.
   */
  private static void assertDecodesOrFailsCleanly(byte[] body) {
    Object decoded;
    try {
      decoded = Bpickle.decode(body);
    } catch (MalformedPayloadException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).startsWith("malformed bpickle payload at byte ");
      assertThat(e.offset()).isBetween(0L, (long) body.length);
      return;
    }
    assertThat(Bpickle.decode(Bpickle.encode(decoded))).isEqualTo(decoded);
  }
}
