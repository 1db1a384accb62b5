package dev.outpost.agent.state;

import dev.outpost.common.activity.ActivityMessages;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A message waiting in the outbox.
 *
 * @param id local and increasing: the outbox sends in id order; never sent to the server
 * @param message the message as it goes on the wire, {@code api} and {@code timestamp} included
 */
public record StoredMessage(long id, Map<String, Object> message) {

  /** Copies the message; none is a legal value, which {@code Map.copyOf} would refuse. */
  public StoredMessage {
    message = Collections.unmodifiableMap(new LinkedHashMap<>(message));
  }

  /** The message's {@code type}. */
  public String type() {
    return String.valueOf(message.get("type"));
  }

  /**
   * The operation the message answers, when it is a reply; a chunk of a running operation's output
   * names the operation but answers nothing.
   */
  public Optional<Long> operationId() {
    return message.get("operation-id") instanceof Number n
            && !ActivityMessages.OPERATION_OUTPUT.equals(type())
        ? Optional.of(n.longValue())
        : Optional.empty();
  }
}
