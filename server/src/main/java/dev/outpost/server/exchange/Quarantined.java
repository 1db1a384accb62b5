package dev.outpost.server.exchange;

import dev.outpost.common.wire.JsonCodec;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A client message set aside with the reason it could not be acted on: unreadable, or refused by
 * the database. It is acknowledged like any other, so the client never sends it again.
 *
 * @param message the message as JSON, made storable, at most {@link #MAX_KEPT} characters
 * @param size the length of the message's whole JSON form
 */
record Quarantined(String type, String reason, String message, int size) {

  /** How much of a quarantined message is kept. */
  static final int MAX_KEPT = 64 * 1024;

  private static final int MAX_TYPE = 64;
  private static final int MAX_REASON = 1024;

  /** Sets a raw message aside, for the reason given. */
  static Quarantined of(Object raw, String reason) {
    String json = json(raw);
    return new Quarantined(
        cut(type(raw), MAX_TYPE),
        cut(StorableText.of(String.valueOf(reason)), MAX_REASON),
        cut(json, MAX_KEPT),
        json.length());
  }

  private static String type(Object raw) {
    try {
      return raw instanceof Map<?, ?> map
          ? WireMap.of(map).optionalText("type").map(StorableText::of).orElse("")
          : "";
    } catch (RuntimeException e) {
      return ""; // a type that is not text
    }
  }

  private static String json(Object raw) {
    try {
      return new String(JsonCodec.encode(StorableText.json(raw)), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      // deeper than JSON nests, say: its text is what can be kept
      return StorableText.of(String.valueOf(raw));
    }
  }

  private static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }
}
