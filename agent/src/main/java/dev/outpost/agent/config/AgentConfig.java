package dev.outpost.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything a real agent is configured with.
 *
 * @param registrationKey the account's registration key; none when it needs none
 * @param tags comma-separated tags sent at registration
 * @param dataDir where the agent keeps its identity, sequences, outbox and journal
 * @param backoffMin the wait after a first failed exchange; it doubles up to {@code backoffMax}
 * @param requestTimeout after which a request to the server is given up
 * @param scriptUsers the users scripts may run as
 * @param channel whether the agent keeps a channel open to the server, to be told to exchange now
 * @param trust how the server is verified, and whether plain HTTP may leave this machine
 * @param enablePackageManagement whether change-packages runs apt-get for real (else simulated)
 */
public record AgentConfig(
    ServerUrls urls,
    String accountName,
    Optional<String> registrationKey,
    String computerTitle,
    String hostname,
    Optional<String> tags,
    Path dataDir,
    Intervals intervals,
    Duration backoffMin,
    Duration backoffMax,
    Duration requestTimeout,
    boolean enableShutdown,
    boolean enableUserManagement,
    ScriptUsers scriptUsers,
    boolean channel,
    ServerTrust trust,
    boolean enablePackageManagement) {}
