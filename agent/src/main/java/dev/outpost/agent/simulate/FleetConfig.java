package dev.outpost.agent.simulate;

import dev.outpost.agent.config.Intervals;
import dev.outpost.agent.config.ServerTrust;
import dev.outpost.agent.config.ServerUrls;
import dev.outpost.agent.exchange.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to simulate a fleet.
 *
 * @param agents how many agents in the whole fleet, all shards together
 * @param titlePrefix agent i is titled {@code <prefix>-<i>}
 * @param rampUp in the closed model, the agents' first exchanges (their registrations) are spread
 *     over this long
 * @param scenario the reports the agents send, and how their handlers behave
 * @param open the open model's target rate; empty for the closed model, where each agent exchanges
 *     on its intervals
 * @param shard the share of the fleet (and of the open model's schedule) this process takes
 * @param maxConnections the HTTP connections all agents share
 * @param channel whether each agent keeps a channel open (a connection each, beside the shared
 *     ones); never in the open model, whose agents exchange only when the schedule says
 * @param trust how the server is verified, and whether plain HTTP may leave this machine
 * @param identities a file of the agents' identities ({@link FleetIdentities}): the agents it names
 *     start registered as it says, and at the end it is written with every agent's identity, for
 *     the next run; empty for none
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
    Scenario scenario,
    Optional<RateProfile> open,
    Shard shard,
    int maxConnections,
    Duration requestTimeout,
    boolean channel,
    ServerTrust trust,
    Optional<Path> identities) {

  /** The same fleet, its identities kept in {@code file}. */
  public FleetConfig withIdentities(Path file) {
    return new FleetConfig(
        urls,
        accountName,
        registrationKey,
        tags,
        agents,
        titlePrefix,
        intervals,
        backoff,
        rampUp,
        scenario,
        open,
        shard,
        maxConnections,
        requestTimeout,
        channel,
        trust,
        Optional.of(file));
  }

  /** {@code open} or {@code closed}. */
  public String model() {
    return open.isPresent() ? "open" : "closed";
  }
}
