package dev.outpost.agent.handlers;

import dev.outpost.common.wire.WireMap;

/**
 * One operation the server sent.
 *
 * @param id the operation-id (the activity's id)
 * @param type the message type
 * @param message the whole message
 * @param context what the handler may ask of the agent while running it
 */
public record Operation(long id, String type, WireMap message, OperationContext context) {}
