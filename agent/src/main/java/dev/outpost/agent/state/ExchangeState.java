package dev.outpost.agent.state;

import dev.outpost.common.wire.Bytes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The exchange bookkeeping that must survive the agent (PROTOCOL.md section 4).
 *
 * @param sequence the sequence number of the oldest message in the outbox (the server's last {@code
 *     next-expected-sequence}); the outbox's messages are numbered on from it
 * @param firstMessage the local id of that message: stored messages with lower ids were
 *     acknowledged and are garbage
 * @param nextExpected how many server messages the agent has received, which is the number of the
 *     next one it expects
 * @param serverApi the API the server last announced; the payload's {@code server-api}
 * @param acceptedTypes the message types the server accepts from the agent
 * @param clientTypesHash the server's last {@code client-accepted-types-hash}
 * @param serverIntervals what {@code set-intervals} set, in seconds by its keys
 */
public record ExchangeState(
    long sequence,
    long firstMessage,
    long nextExpected,
    String serverApi,
    List<String> acceptedTypes,
    Optional<Bytes> clientTypesHash,
    Map<String, Long> serverIntervals) {

  /** The API the Landscape Client writes its first payload for. */
  public static final String DEFAULT_SERVER_API = "3.2";

  /** Copies the collections. */
  public ExchangeState {
    acceptedTypes = List.copyOf(acceptedTypes);
    serverIntervals = Map.copyOf(serverIntervals);
  }

  /** The state of an agent that never exchanged. */
  public static ExchangeState initial() {
    return new ExchangeState(0, 0, 0, DEFAULT_SERVER_API, List.of(), Optional.empty(), Map.of());
  }
}
