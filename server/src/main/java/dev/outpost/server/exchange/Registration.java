package dev.outpost.server.exchange;

import dev.outpost.common.wire.JsonCodec;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@code register} message, in either of its forms: the broker's (dashed keys, bytes) and the
 * one-shot {@code landscape-config} one (underscored keys).
 *
 * @param info everything the client sent but the registration key, kept for the record
 */
record Registration(String accountName, String password, String title, String hostname,
    List<String> tags, JsonObject info) {

  static Registration read(WireMap message) {
    String title = message.optionalText("computer_title").orElse("");
    String hostname = message.optionalText("hostname").orElse(title);
    JsonObject info = json(message.asMap());
    // The account's key: the database keeps only its hash.
    info.remove("registration_password");
    List<String> tags = message.optionalText("tags")
        .map(t -> Arrays.stream(t.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
        .orElse(List.of());
    return new Registration(
        message.optionalText("account_name").orElse(""),
        message.optionalText("registration_password").orElse(""),
        title.isEmpty() ? hostname : title,
        hostname,
        tags,
        info);
  }

  /** Any wire value as JSON, for keeping what clients report. */
  static JsonObject json(Map<?, ?> message) {
    return new JsonObject(Buffer.buffer(JsonCodec.encode(message)));
  }

  @Override
  public String toString() {
    return "Registration[account=" + accountName + ", title=" + title + "]";
  }
}
