package dev.outpost.server.computer;

import java.time.Instant;

/**
 * A message of a computer's agent that the exchange set aside rather than act on, and why.
 *
 * @param message the message as JSON, cut at 64 KiB
 * @param size the length of its whole JSON form
 */
public record QuarantinedMessage(
    long id, Instant receivedAt, String type, String reason, String message, int size) {}
