package dev.outpost.agent.simulate;

import dev.outpost.agent.AgentFixture;
import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.agent.exchange.Backoff;
import dev.outpost.agent.handlers.Latency;
import dev.outpost.agent.handlers.SimulatedHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A simulated fleet's configuration against the fixture's server, with what the fleet tests share:
 * the server's account and key, no tags, the system's trust, no identities file, a backoff of 100
 * ms to 1 s, quick handlers that never fail, the closed model over the whole fleet, 16 connections,
 * 30 s per request and no channels. A test states its intervals and ramp-up, and what else differs.
 */
final class FleetConfigBuilder {

  /** Handlers that answer in 10 ms and never fail. */
  static final SimulatedHandler.Profile QUICK =
      new SimulatedHandler.Profile(new Latency.Fixed(Duration.ofMillis(10)), 0, 0);

  private final AgentFixture fx;
  private final String prefix;
  private final int agents;
  private Intervals intervals;
  private Duration rampUp;
  private Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
  private Scenario scenario = Scenario.plain(QUICK);
  private Optional<RateProfile> open = Optional.empty();
  private Shard shard = Shard.ALL;
  private int maxConnections = 16;
  private Duration requestTimeout = Duration.ofSeconds(30);
  private boolean channel;

  private FleetConfigBuilder(AgentFixture fx, String prefix, int agents) {
    this.fx = fx;
    this.prefix = prefix;
    this.agents = agents;
  }

  /** {@code agents} agents titled {@code prefix-i}, registering with the fixture's server. */
  static FleetConfigBuilder fleet(AgentFixture fx, String prefix, int agents) {
    return new FleetConfigBuilder(fx, prefix, agents);
  }

  FleetConfigBuilder intervals(Intervals intervals) {
    this.intervals = intervals;
    return this;
  }

  FleetConfigBuilder rampUp(Duration rampUp) {
    this.rampUp = rampUp;
    return this;
  }

  FleetConfigBuilder backoff(Backoff backoff) {
    this.backoff = backoff;
    return this;
  }

  FleetConfigBuilder scenario(Scenario scenario) {
    this.scenario = scenario;
    return this;
  }

  /** The open model at this rate, rather than the closed one. */
  FleetConfigBuilder open(RateProfile profile) {
    this.open = Optional.of(profile);
    return this;
  }

  FleetConfigBuilder shard(Shard shard) {
    this.shard = shard;
    return this;
  }

  FleetConfigBuilder maxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
    return this;
  }

  FleetConfigBuilder requestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    return this;
  }

  /** Each agent keeps a channel open. */
  FleetConfigBuilder withChannels() {
    this.channel = true;
    return this;
  }

  FleetConfig build() {
    return new FleetConfig(
        ServerUrls.of(fx.exchangeUrl(), Optional.empty()),
        fx.server.accountName,
        Optional.of(fx.server.registrationKey),
        Optional.empty(),
        agents,
        prefix,
        Objects.requireNonNull(intervals, "the test states the intervals"),
        backoff,
        Objects.requireNonNull(rampUp, "the test states the ramp-up"),
        scenario,
        open,
        shard,
        maxConnections,
        requestTimeout,
        channel,
        ServerTrust.SYSTEM,
        Optional.empty());
  }
}
