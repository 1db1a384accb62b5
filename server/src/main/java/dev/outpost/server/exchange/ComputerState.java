package dev.outpost.server.exchange;

import java.util.List;
import java.util.Optional;

/**
 * A computer's exchange state, read under a row lock at the start of an exchange.
 *
 * @param nextExpectedIn the sequence number of the next client message the server expects
 * @param outBase the sequence number of the oldest message in the outgoing store
 * @param clientTypes the message types the client said it accepts
 */
record ComputerState(
    long id,
    long nextExpectedIn,
    long outBase,
    Optional<byte[]> exchangeTokenHash,
    List<String> clientTypes) {}
