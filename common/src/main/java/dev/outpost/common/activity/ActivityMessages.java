package dev.outpost.common.activity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a client activity into the message its agent receives (PROTOCOL.md section 6): the type's
 * message {@code type}, {@code operation-id} = the activity id, each parameter under its dashed
 * name, the type's fixed fields, and the defaults the Landscape Client expects to find.
 */
public final class ActivityMessages {

  /**
   * Outpost's own server message that tells an agent to stop a running operation ({@code
   * operation-id}); sent only to agents whose {@code client-accepted-types} name it.
   */
  public static final String CANCEL_OPERATION = "cancel-operation";

  /**
   * Outpost's own client message carrying part of a running operation's output: {@code
   * operation-id}, {@code offset} (in characters, Unicode code points) and {@code text}; sent only
   * to a server whose accepted types name it.
   */
  public static final String OPERATION_OUTPUT = "operation-output";

  /** Fields the Landscape Client reads without checking that they are there. */
  private static final Map<String, Map<String, Object>> DEFAULTS =
      Map.of(
          "apt-sources-replace",
          Map.of("gpg-keys", List.of()),
          "execute-script",
          Map.of(
              "interpreter",
              "/bin/sh",
              "username",
              "root",
              "time-limit",
              300L,
              "attachments",
              Map.of()));

  /**
   * Parameters that stay on the server: which saved script and version a run came from is the
   * activity's record, not the agent's business.
   */
  private static final Set<String> SERVER_ONLY = Set.of("script_id", "script_version");

  private static final String USG = "usg";

  /** Message types whose handlers expect every declared field, absent ones as none. */
  private static final List<String> ALL_FIELDS = List.of("add-user", "edit-user");

  private ActivityMessages() {}

  /** The message delivering this activity to its agent. */
  public static Map<String, Object> build(
      ActivityType type, long operationId, JsonObject parameters) {
    String messageType =
        type.messageType()
            .orElseThrow(
                () -> new IllegalArgumentException(type.name() + " is not delivered to agents"));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", messageType);
    message.put("operation-id", operationId);
    if (ALL_FIELDS.contains(messageType)) {
      type.params().forEach(param -> message.put(param.wireName(), null));
    }
    message.putAll(DEFAULTS.getOrDefault(messageType, Map.of()));
    for (String name : parameters.fieldNames()) {
      if (SERVER_ONLY.contains(name)) {
        continue;
      }
      String wireName = type.param(name).map(Param::wireName).orElse(name.replace('_', '-'));
      message.put(wireName, plain(parameters.getValue(name)));
    }
    message.putAll(type.fixedFields());
    if (USG.equals(messageType)) {
      // the client reads run-id before anything else; a run the admin did not name is the
      // activity's own
      message.putIfAbsent("run-id", Long.toString(operationId));
    }
    return message;
  }

  /** The message telling an agent to stop the running operation. */
  public static Map<String, Object> cancelOperation(long operationId) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", CANCEL_OPERATION);
    message.put("operation-id", operationId);
    return message;
  }

  /** JSON values as the wire model has them: maps, lists, longs. */
  static Object plain(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> map = new LinkedHashMap<>();
      object.forEach(entry -> map.put(entry.getKey(), plain(entry.getValue())));
      return map;
    }
    if (value instanceof JsonArray array) {
      List<Object> list = new ArrayList<>(array.size());
      array.forEach(item -> list.add(plain(item)));
      return list;
    }
    if (value instanceof Integer i) {
      return i.longValue();
    }
    return value;
  }
}
