package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Times in the admin API's JSON: written without a formatter, as Instant.toString writes them. */
class JsonTimeTest {

  /**
   * Verifies that every instant, with no fraction, milli-, micro- and nanosecond fractions, on leap
   * days, at the ends of days, months and years, reads as {@link Instant#toString()} has it.
   */
  @Test
  void timesReadAsInstantToStringHasThem() {
    SplittableRandom random = new SplittableRandom(42);
    long first = Instant.parse("1000-01-01T00:00:00Z").getEpochSecond();
    long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      long seconds = random.nextLong(first, last + 1);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1, 1000) * 1_000_000;
            case 2 -> random.nextInt(1, 1_000_000) * 1000;
            default -> random.nextInt(1, 1_000_000_000);
          };
      assertSame(Instant.ofEpochSecond(seconds, nanos));
    }
    for (String edge :
        new String[] {
          "1970-01-01T00:00:00Z",
          "1969-12-31T23:59:59.999Z",
          "2000-02-29T12:00:00Z",
          "2024-02-29T23:59:59.000001Z",
          "2100-03-01T00:00:00Z",
          "1000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "2030-01-01T00:00:00.100Z"
        }) {
      assertSame(Instant.parse(edge));
    }
  }

  /** Verifies that years only Instant.toString writes right are left to it. */
  @Test
  void yearsOutsideFourDigitsAreLeftToInstant() {
    char[] text = new char[Json.MAX_TIME_CHARS];
    assertThat(Json.isoTime(Instant.parse("+10000-01-01T00:00:00Z"), text)).isEqualTo(-1);
    assertThat(Json.isoTime(Instant.parse("0999-12-31T23:59:59Z"), text)).isEqualTo(-1);
  }

  private static void assertSame(Instant instant) {
    char[] text = new char[Json.MAX_TIME_CHARS];
    int length = Json.isoTime(instant, text);
    assertThat(new String(text, 0, length)).isEqualTo(instant.toString());
  }
}
