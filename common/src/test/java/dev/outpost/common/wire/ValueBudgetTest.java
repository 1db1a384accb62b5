package dev.outpost.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A payload of many tiny values decodes into far more memory than it takes on the wire: both
 * decoders stop at {@link Values#MAX_VALUES}, and a payload within it decodes whole.
 */
class ValueBudgetTest {

  /** A list of {@code n} nones: one byte each in bpickle. */
  private static byte[] bpickleNones(int n) {
    return ("l" + "n".repeat(n) + ";").getBytes(StandardCharsets.US_ASCII);
  }

  /** A list of {@code n} nulls in JSON. */
  private static byte[] jsonNulls(int n) {
    return ("[" + "null,".repeat(n - 1) + "null]").getBytes(StandardCharsets.US_ASCII);
  }

  /** Verifies that bpickle with one value too many is refused with a 400 saying so. */
  @Test
  void bpickleRefusesAPayloadOfTooManyValues() {
    MalformedPayloadException failure =
        catchThrowableOfType(
            MalformedPayloadException.class, () -> Bpickle.decode(bpickleNones(Values.MAX_VALUES)));

    assertThat(failure.status()).isEqualTo(400);
    assertThat(failure.getMessage()).contains("more than 1000000 values");
  }

  /** Verifies that bpickle at the budget, the list counted, decodes. */
  @Test
  void bpickleDecodesAPayloadAtTheBudget() {
    assertThat((List<?>) Bpickle.decode(bpickleNones(Values.MAX_VALUES - 1)))
        .hasSize(Values.MAX_VALUES - 1);
  }

  /** Verifies that JSON of too many values is refused with a 400, and within it decodes. */
  @Test
  void jsonRefusesAPayloadOfTooManyValues() {
    MalformedPayloadException failure =
        catchThrowableOfType(
            MalformedPayloadException.class,
            () -> JsonCodec.decode(jsonNulls(2 * Values.MAX_VALUES)));

    assertThat(failure.status()).isEqualTo(400);
    assertThat(failure.getMessage()).containsIgnoringCase("token count");
    assertThat((List<?>) JsonCodec.decode(jsonNulls(Values.MAX_VALUES - 1)))
        .hasSize(Values.MAX_VALUES - 1);
  }
}
