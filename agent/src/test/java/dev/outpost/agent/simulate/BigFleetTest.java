package dev.outpost.agent.simulate;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.AgentFixture;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.exchange.Agent;
import dev.outpost.agent.exchange.Backoff;
import dev.outpost.agent.state.Identity;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A fleet of the kind that holds 100,000 agents in one process, at a size a test can afford. */
@ExtendWith(VertxExtension.class)
class BigFleetTest {

  private static final int AGENTS = 2000;

  /** Far above what an agent holds (about 1.3 KiB), far below what it held before. */
  private static final long MAX_HEAP_PER_AGENT = 8 * 1024;

  /** 4,000 exchanges take seconds on a quiet machine, minutes on a loaded one. */
  private static final Duration PATIENCE = Duration.ofMinutes(10);

  private static AgentFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that 2,000 simulated agents in one process all register (two exchanges each), hold one
   * copy of what the server told them all, and a bounded heap each; and that the identities they
   * wrote at the end start them again registered, as the same computers.
   */
  @Test
  void agentsRegisterShareWhatTheyWereToldAndStartAgainFromTheirIdentities(
      Vertx vertx, @TempDir Path dir) throws Exception {
    String prefix = TestSupport.unique("big");
    FleetConfig config = config(prefix).withIdentities(dir.resolve("fleet.identities"));
    long before = heapAfterGc();
    Fleet fleet = await(Fleet.start(vertx, config, Clock.systemUTC()));
    Map<String, Identity> first;
    try {
      await().atMost(PATIENCE).until(() -> fleet.stats().agentsRegistered() == AGENTS);
      // each registered at its second exchange
      assertThat(fleet.stats().exchanges()).isGreaterThanOrEqualTo(2L * AGENTS);
      List<Agent> agents = fleet.agents();
      assertThat(agents).hasSize(AGENTS);
      List<String> types = agents.get(0).protocol().clientTypes();
      assertThat(agents).allSatisfy(a -> assertThat(a.protocol().clientTypes()).isSameAs(types));
      long perAgent = (heapAfterGc() - before) / AGENTS;
      assertThat(perAgent).isLessThan(MAX_HEAP_PER_AGENT);
    } finally {
      await(fleet.stop());
    }
    first = FleetIdentities.read(config.identities().orElseThrow());
    assertThat(first).hasSize(AGENTS).containsKey(Fleet.title(prefix, AGENTS - 1, AGENTS));

    Fleet again = await(Fleet.start(vertx, config, Clock.systemUTC()));
    try {
      await().atMost(PATIENCE).until(() -> again.stats().agentsRegistered() == AGENTS);
      // the server knew every one of them: none was told to register anew
      assertThat(again.stats().exchanges()).isLessThan(2L * AGENTS);
    } finally {
      await(again.stop());
    }
    assertThat(FleetIdentities.read(config.identities().orElseThrow())).isEqualTo(first);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static FleetConfig config(String prefix) {
    return FleetConfigBuilder.fleet(fx, prefix, AGENTS)
        // a regular exchange a minute, no ping: what is tested is the agents, not the server's pace
        .intervals(
            new Intervals(Duration.ofMinutes(1), Duration.ofMillis(200), Duration.ofHours(1)))
        .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)))
        .rampUp(Duration.ofSeconds(10))
        // as many requests may wait for a connection as there are agents
        .maxConnections(32)
        .requestTimeout(Duration.ofMinutes(2))
        .build();
  }
}
