package dev.outpost.agent.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  /**
   * Verifies that the wait doubles with each failure, stays within half to all of it, and is
   * capped.
   */
  @Test
  void growsWithJitterUpToItsCap() {
    Backoff backoff = new Backoff(Duration.ofSeconds(300), Duration.ofSeconds(7200));
    Random random = new Random(1);
    for (int i = 0; i < 1000; i++) {
      assertThat(backoff.delay(1, random))
          .isBetween(Duration.ofSeconds(150), Duration.ofSeconds(300));
      assertThat(backoff.delay(3, random))
          .isBetween(Duration.ofSeconds(600), Duration.ofSeconds(1200));
      assertThat(backoff.delay(40, random))
          .isBetween(Duration.ofSeconds(3600), Duration.ofSeconds(7200));
    }
  }
}
