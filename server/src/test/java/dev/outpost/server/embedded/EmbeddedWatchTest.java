package dev.outpost.server.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EmbeddedWatchTest {

  /**
   * Verifies that a service that does not start again is given up on after a bounded number of
   * attempts: the server then exits for a fresh start. GIVEN a watched service that stopped and
   * whose every restart fails, WHEN the watch looks, THEN it tries {@value EmbeddedWatch#ATTEMPTS}
   * times and gives up once.
   */
  @Test
  void givesUpOnAServiceThatDoesNotStartAgain() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch gaveUp = new CountDownLatch(1);
    try (EmbeddedWatch watch =
        EmbeddedWatch.start(
            List.of(
                new EmbeddedWatch.Service(
                    "broken",
                    () -> false,
                    () -> {
                      attempts.incrementAndGet();
                      throw new IllegalStateException("does not start");
                    })),
            gaveUp::countDown,
            Duration.ofMillis(10),
            Duration.ofMillis(1))) {
      assertThat(gaveUp.await(30, TimeUnit.SECONDS)).as("gave up").isTrue();
      Thread.sleep(100);
      assertThat(attempts).hasValue(EmbeddedWatch.ATTEMPTS);
    }
  }

  /** Verifies that a service started again is watched on, and nothing is given up. */
  @Test
  void aServiceStartedAgainIsWatchedOn() throws Exception {
    AtomicBoolean running = new AtomicBoolean(false);
    AtomicInteger restarts = new AtomicInteger();
    try (EmbeddedWatch watch =
        EmbeddedWatch.start(
            List.of(
                new EmbeddedWatch.Service(
                    "flaky",
                    running::get,
                    () -> {
                      restarts.incrementAndGet();
                      running.set(true);
                    })),
            () -> {
              throw new AssertionError("gave up");
            },
            Duration.ofMillis(10),
            Duration.ofMillis(1))) {
      awaitRestarts(restarts, 1);
      running.set(false);
      awaitRestarts(restarts, 2);
    }
  }

  private static void awaitRestarts(AtomicInteger restarts, int count) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (restarts.get() < count) {
      assertThat(System.nanoTime()).isLessThan(until);
      Thread.sleep(10);
    }
  }
}
