package dev.outpost.agent.state;

import dev.outpost.common.wire.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The JSON form of the state files, readable by whoever looks into the data dir. */
final class StateJson {

  private static final HexFormat HEX = HexFormat.of();

  private StateJson() {}

  static JsonObject identity(Identity identity) {
    return new JsonObject()
        .put("secure-id", identity.secureId())
        .put("insecure-id", identity.insecureId());
  }

  static Identity identity(JsonObject json) {
    return new Identity(json.getString("secure-id"), json.getLong("insecure-id"));
  }

  static JsonObject exchange(ExchangeState state) {
    JsonObject intervals = new JsonObject();
    state.serverIntervals().forEach(intervals::put);
    return new JsonObject()
        .put("sequence", state.sequence())
        .put("first-message", state.firstMessage())
        .put("next-expected", state.nextExpected())
        .put("server-api", state.serverApi())
        .put("accepted-types", new JsonArray(new ArrayList<>(state.acceptedTypes())))
        .put(
            "client-types-hash",
            state.clientTypesHash().map(h -> HEX.formatHex(h.toArray())).orElse(null))
        .put("server-intervals", intervals);
  }

  static ExchangeState exchange(JsonObject json) {
    Map<String, Long> intervals = new LinkedHashMap<>();
    JsonObject set = json.getJsonObject("server-intervals", new JsonObject());
    set.fieldNames().forEach(key -> intervals.put(key, set.getLong(key)));
    List<String> types = new ArrayList<>();
    json.getJsonArray("accepted-types", new JsonArray()).forEach(t -> types.add((String) t));
    return new ExchangeState(
        json.getLong("sequence"),
        json.getLong("first-message"),
        json.getLong("next-expected"),
        json.getString("server-api", ExchangeState.DEFAULT_SERVER_API),
        types,
        Optional.ofNullable(json.getString("client-types-hash"))
            .map(hex -> Bytes.of(HEX.parseHex(hex))),
        intervals);
  }

  static JsonObject operation(JournalEntry entry) {
    JsonObject json =
        new JsonObject()
            .put("operation-id", entry.operationId())
            .put("type", entry.type())
            .put("state", entry.state().name().toLowerCase(Locale.ROOT))
            .put("started-at", entry.startedAt().toString());
    entry
        .process()
        .ifPresent(
            p -> json.put("pid", p.pid()).put("process-started-at", p.startedAt().toString()));
    entry.reply().ifPresent(reply -> json.put("reply", new JsonObject(new LinkedHashMap<>(reply))));
    return json;
  }

  static JournalEntry operation(JsonObject json) {
    Optional<JournalEntry.ChildProcess> process =
        json.containsKey("pid")
            ? Optional.of(
                new JournalEntry.ChildProcess(
                    json.getLong("pid"), Instant.parse(json.getString("process-started-at"))))
            : Optional.empty();
    Optional<Map<String, Object>> reply =
        Optional.ofNullable(json.getJsonObject("reply")).map(StateJson::plain);
    return new JournalEntry(
        json.getLong("operation-id"),
        json.getString("type"),
        JournalEntry.State.valueOf(json.getString("state").toUpperCase(Locale.ROOT)),
        Instant.parse(json.getString("started-at")),
        process,
        reply);
  }

  /** A JSON object as the wire model has it: maps, lists and longs. */
  private static Map<String, Object> plain(JsonObject object) {
    Map<String, Object> map = new LinkedHashMap<>();
    object.forEach(entry -> map.put(entry.getKey(), plainValue(entry.getValue())));
    return map;
  }

  private static Object plainValue(Object value) {
    if (value instanceof JsonObject object) {
      return plain(object);
    }
    if (value instanceof JsonArray array) {
      List<Object> list = new ArrayList<>(array.size());
      array.forEach(item -> list.add(plainValue(item)));
      return list;
    }
    if (value instanceof Integer i) {
      return i.longValue();
    }
    return value;
  }
}
