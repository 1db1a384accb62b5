package dev.outpost.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks all 8 × 8 × 2 (from, to) pairs against the specification's lists, written out here a
 * second time by hand so that a slip in the table cannot hide behind itself.
 */
class LifecycleTest {

  private static final Map<String, Set<String>> CLIENT =
      Map.of(
          "queued", Set.of("in-progress", "canceled", "blocked"),
          "scheduled", Set.of("in-progress", "canceled"),
          "waiting", Set.of("queued", "in-progress", "canceled"),
          "blocked", Set.of("queued", "canceled", "waiting"),
          "in-progress", Set.of("failed", "succeeded", "canceled"));

  private static final Map<String, Set<String>> SERVER =
      Map.of(
          "queued", Set.of("in-progress", "canceled", "blocked"),
          "scheduled", Set.of("queued", "in-progress", "canceled"),
          "waiting", Set.of("queued", "in-progress", "canceled"),
          "blocked", Set.of("queued", "canceled", "waiting"),
          "in-progress", Set.of("failed", "succeeded", "canceled"));

  static Stream<Arguments> everyPair() {
    List<Arguments> pairs = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      Map<String, Set<String>> seed = kind == Kind.CLIENT ? CLIENT : SERVER;
      for (Status from : Status.values()) {
        for (Status to : Status.values()) {
          boolean allowed = seed.getOrDefault(from.wireName(), Set.of()).contains(to.wireName());
          pairs.add(Arguments.of(kind, from, to, allowed));
        }
      }
    }
    return pairs.stream();
  }

  /**
   * Verifies that the table allows exactly the specification's transitions, and refuses all others.
   */
  @ParameterizedTest(name = "{0}: {1} -> {2} allowed={3}")
  @MethodSource("everyPair")
  void allowsExactlyTheSpecifiedTransitions(Kind kind, Status from, Status to, boolean allowed) {
    assertThat(Lifecycle.allows(kind, from, to)).isEqualTo(allowed);
    assertThat(Lifecycle.sources(kind, to).contains(from)).isEqualTo(allowed);
  }

  /** Verifies that the pairs above are the full 128 cases. */
  @org.junit.jupiter.api.Test
  void coversEveryPairOfBothLifecycles() {
    assertThat(everyPair()).hasSize(8 * 8 * 2);
  }

  /** Verifies that final states have no way out and start states are the four of the seed. */
  @org.junit.jupiter.api.Test
  void finalStatesAreDeadEnds() {
    for (Kind kind : Kind.values()) {
      for (Status status : Status.values()) {
        assertThat(Lifecycle.targets(kind, status).isEmpty()).isEqualTo(status.isFinal());
      }
    }
    assertThat(Stream.of(Status.values()).filter(Status::isStart))
        .containsExactly(Status.QUEUED, Status.SCHEDULED, Status.WAITING, Status.BLOCKED);
  }
}
