package dev.outpost.agent.simulate;

import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.agent.exchange.Backoff;
import java.time.Duration;
import java.util.Optional;

/**
 * How to simulate a fleet.
 *
 * @param agents how many agents
 * @param titlePrefix agent i is titled {@code <prefix>-<i>}
 * @param rampUp the agents' first exchanges (their registrations) are spread over this long
 * @param latency simulated operations take a random time averaging this
 * @param failureRate the share of simulated operations that fail
 * @param maxConnections the HTTP connections all agents share
 * @param channel whether each agent keeps a channel open (a connection each, beside the shared
 *     ones)
 * @param trust how the server is verified, and whether plain HTTP may leave this machine
 */
public record FleetConfig(
    ServerUrls urls,
    String accountName,
    Optional<String> registrationKey,
    Optional<String> tags,
    int agents,
    String titlePrefix,
    Intervals intervals,
    Backoff backoff,
    Duration rampUp,
    Duration latency,
    double failureRate,
    int maxConnections,
    Duration requestTimeout,
    boolean channel,
    ServerTrust trust) {

  /** A fleet trusting the system's CAs, plain HTTP to loopback only. */
  public FleetConfig(
      ServerUrls urls,
      String accountName,
      Optional<String> registrationKey,
      Optional<String> tags,
      int agents,
      String titlePrefix,
      Intervals intervals,
      Backoff backoff,
      Duration rampUp,
      Duration latency,
      double failureRate,
      int maxConnections,
      Duration requestTimeout,
      boolean channel) {
    this(
        urls,
        accountName,
        registrationKey,
        tags,
        agents,
        titlePrefix,
        intervals,
        backoff,
        rampUp,
        latency,
        failureRate,
        maxConnections,
        requestTimeout,
        channel,
        ServerTrust.SYSTEM);
  }
}
