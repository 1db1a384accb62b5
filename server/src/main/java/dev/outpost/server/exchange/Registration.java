package dev.outpost.server.exchange;

import dev.outpost.common.wire.JsonCodec;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.computer.ComputerEdits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code register} message, in either of its forms: the broker's (dashed keys, bytes) and the
 * one-shot {@code landscape-config} one (underscored keys).
 *
 * @param tags the tags it sent (comma-separated) that are tags ({@link ComputerEdits#isTag}), each
 *     once, at most as many as a computer may carry: the others are dropped, as an admin's would be
 *     refused, so that no tag breaks a query or a script's {@code LANDSCAPE_COMPUTER_TAGS}
 * @param info everything the client sent but the registration key, kept for the record
 */
record Registration(
    String accountName,
    String password,
    String title,
    String hostname,
    List<String> tags,
    JsonObject info) {

  static Registration read(WireMap message, int maxTags) {
    String title = text(message, "computer_title").orElse("");
    String hostname = text(message, "hostname").orElse(title);
    JsonObject info = json(message.asMap());
    // The account's key: the database keeps only its hash.
    info.remove("registration_password");
    List<String> tags =
        text(message, "tags")
            .map(
                t ->
                    Arrays.stream(t.split(","))
                        .map(String::strip)
                        .filter(ComputerEdits::isTag)
                        .distinct()
                        .limit(maxTags)
                        .toList())
            .orElse(List.of());
    return new Registration(
        text(message, "account_name").orElse(""),
        text(message, "registration_password").orElse(""),
        title.isEmpty() ? hostname : title,
        hostname,
        tags,
        info);
  }

  private static Optional<String> text(WireMap message, String key) {
    return message.optionalText(key).map(StorableText::of);
  }

  /** Any wire value as JSON, made storable, for keeping what clients report. */
  static JsonObject json(Map<?, ?> message) {
    return new JsonObject(Buffer.buffer(JsonCodec.encode(StorableText.json(message))));
  }

  @Override
  public String toString() {
    return "Registration[account=" + accountName + ", title=" + title + "]";
  }
}
