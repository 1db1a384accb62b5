package dev.outpost.server.exchange;

import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.Tuple;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The Landscape Client's reports of the computer it runs on, read strictly: what the computer is
 * ({@code computer-info}, {@code distribution-info}), its processors ({@code processor-info}), its
 * network devices ({@code network-device}) and its users and groups ({@code users}, as changes).
 * Each is read into the JSON the server keeps, with only the keys the client's schema names, each
 * text made storable and bounded, each list capped; a report past a bound is refused whole (and
 * quarantined) rather than kept in part.
 */
final class ClientReports {

  /** The report types the server keeps per computer. */
  static final List<String> TYPES =
      List.of("computer-info", "distribution-info", "network-device", "processor-info", "users");

  /**
   * The reports the client's plugins send when told the type is accepted (and later only when
   * something changed), not at every exchange as computer-info and distribution-info.
   */
  static final List<String> SENT_WHEN_ACCEPTED =
      List.of("network-device", "processor-info", "users");

  /** The users message: the current sets are kept in their own tables. */
  static final String USERS = "users";

  /** Characters of a name, a hostname, an address, ... at most. */
  static final int MAX_TEXT = 255;

  /** Characters of an annotation's value at most. */
  static final int MAX_LONG_TEXT = 4096;

  /** Items of a list (users, groups, members, processors, devices) at most. */
  static final int MAX_ITEMS = 5000;

  /** Annotations of a computer-info at most. */
  static final int MAX_ANNOTATIONS = 64;

  private ClientReports() {}

  static boolean isReport(String type) {
    return TYPES.contains(type);
  }

  /**
   * The report as the server keeps it.
   *
   * @throws OutpostException (400) naming what is wrong, when it is not one the client sends
   */
  static JsonObject read(String type, WireMap message) {
    return switch (type) {
      case "computer-info" -> computerInfo(message);
      case "distribution-info" -> distributionInfo(message);
      case "processor-info" -> processorInfo(message);
      case "network-device" -> networkDevice(message);
      case USERS -> users(message);
      default -> throw new IllegalArgumentException("not a report: " + type);
    };
  }

  private static JsonObject computerInfo(WireMap m) {
    JsonObject body = new JsonObject();
    optionalText(m, "hostname", MAX_TEXT).ifPresent(v -> body.put("hostname", v));
    m.optionalInteger("total-memory").ifPresent(v -> body.put("total-memory", v));
    m.optionalInteger("total-swap").ifPresent(v -> body.put("total-swap", v));
    optionalText(m, "machine-id", MAX_TEXT).ifPresent(v -> body.put("machine-id", v));
    m.optionalMap("annotations")
        .ifPresent(
            annotations -> {
              Map<?, ?> raw = annotations.asMap();
              if (raw.size() > MAX_ANNOTATIONS) {
                throw tooMany("annotations", MAX_ANNOTATIONS);
              }
              JsonObject kept = new JsonObject();
              for (Map.Entry<?, ?> e : raw.entrySet()) {
                String name = bounded("annotations", textOf(e.getKey(), "annotations"), MAX_TEXT);
                kept.put(
                    name,
                    bounded(
                        "annotations." + name, textOf(e.getValue(), "annotations"), MAX_LONG_TEXT));
              }
              body.put("annotations", kept);
            });
    return body;
  }

  private static JsonObject distributionInfo(WireMap m) {
    JsonObject body = new JsonObject();
    for (String key : List.of("distributor-id", "description", "release", "code-name")) {
      optionalText(m, key, MAX_TEXT).ifPresent(v -> body.put(key, v));
    }
    return body;
  }

  private static JsonObject processorInfo(WireMap m) {
    JsonArray processors = new JsonArray();
    for (WireMap p : capped(m, "processors")) {
      JsonObject processor =
          new JsonObject()
              .put("processor-id", p.integer("processor-id"))
              .put("model", text(p, "model", MAX_TEXT));
      optionalText(p, "vendor", MAX_TEXT).ifPresent(v -> processor.put("vendor", v));
      p.optionalInteger("cache-size").ifPresent(v -> processor.put("cache-size", v));
      processors.add(processor);
    }
    return new JsonObject().put("processors", processors);
  }

  private static JsonObject networkDevice(WireMap m) {
    Map<String, JsonObject> devices = new LinkedHashMap<>();
    for (WireMap d : capped(m, "devices")) {
      JsonObject device = new JsonObject();
      for (String key :
          List.of("interface", "ip_address", "mac_address", "broadcast_address", "netmask")) {
        device.put(key, text(d, key, MAX_TEXT));
      }
      device.put("flags", d.integer("flags"));
      devices.put(device.getString("interface"), device);
    }
    if (m.optionalList("device-speeds").isPresent()) {
      for (WireMap s : capped(m, "device-speeds")) {
        JsonObject device = devices.get(text(s, "interface", MAX_TEXT));
        if (device != null) {
          device.put("speed", s.integer("speed")).put("duplex", s.bool("duplex"));
        }
      }
    }
    return new JsonObject().put("devices", new JsonArray(new ArrayList<>(devices.values())));
  }

  /**
   * A users message, its changes in the order they apply: the users created and updated as one list
   * (each username once, the last one sent winning), the groups likewise, then what is deleted and
   * the members added and removed.
   */
  private static JsonObject users(WireMap m) {
    Map<String, JsonObject> users = new LinkedHashMap<>();
    for (String key : List.of("create-users", "update-users")) {
      if (m.optionalList(key).isPresent()) {
        for (WireMap u : capped(m, key)) {
          JsonObject user = user(u);
          users.put(user.getString("username"), user);
        }
      }
    }
    Map<String, JsonObject> groups = new LinkedHashMap<>();
    for (String key : List.of("create-groups", "update-groups")) {
      if (m.optionalList(key).isPresent()) {
        for (WireMap g : capped(m, key)) {
          String name = text(g, "name", MAX_TEXT);
          groups.put(name, new JsonObject().put("name", name).put("gid", g.integer("gid")));
        }
      }
    }
    JsonObject body = new JsonObject();
    m.optionalInteger("operation-id").ifPresent(id -> body.put("operation-id", id));
    if (!users.isEmpty()) {
      body.put("create-users", new JsonArray(new ArrayList<>(users.values())));
    }
    if (!groups.isEmpty()) {
      body.put("create-groups", new JsonArray(new ArrayList<>(groups.values())));
    }
    names(m, "delete-users").ifPresent(v -> body.put("delete-users", v));
    names(m, "delete-groups").ifPresent(v -> body.put("delete-groups", v));
    members(m, "create-group-members").ifPresent(v -> body.put("create-group-members", v));
    members(m, "delete-group-members").ifPresent(v -> body.put("delete-group-members", v));
    return body;
  }

  private static JsonObject user(WireMap u) {
    JsonObject user =
        new JsonObject()
            .put("username", name(text(u, "username", MAX_TEXT), "username"))
            .put("uid", u.integer("uid"))
            .put("enabled", u.bool("enabled"));
    for (String key : List.of("name", "location", "home-phone", "work-phone")) {
      user.put(key, optionalText(u, key, MAX_TEXT).orElse(null));
    }
    user.put("primary-gid", u.optionalInteger("primary-gid").orElse(null));
    optionalText(u, "primary-groupname", MAX_TEXT).ifPresent(v -> user.put("primary-groupname", v));
    return user;
  }

  private static Optional<JsonArray> names(WireMap m, String key) {
    return m.optionalList(key)
        .map(
            list -> {
              if (list.size() > MAX_ITEMS) {
                throw tooMany(key, MAX_ITEMS);
              }
              TreeSet<String> names = new TreeSet<>();
              for (Object item : list) {
                names.add(name(bounded(key, textOf(item, key), MAX_TEXT), key));
              }
              return new JsonArray(new ArrayList<>(names));
            });
  }

  private static Optional<JsonObject> members(WireMap m, String key) {
    return m.optionalMap(key)
        .map(
            map -> {
              Map<?, ?> raw = map.asMap();
              if (raw.size() > MAX_ITEMS) {
                throw tooMany(key, MAX_ITEMS);
              }
              JsonObject members = new JsonObject();
              for (Map.Entry<?, ?> e : raw.entrySet()) {
                String name = name(bounded(key, textOf(e.getKey(), key), MAX_TEXT), key);
                List<?> list;
                if (e.getValue() instanceof List<?> items) {
                  list = items;
                } else if (e.getValue() instanceof Tuple tuple) {
                  list = tuple.items();
                } else {
                  throw OutpostException.badRequest("'" + key + "." + name + "' must be a list");
                }
                if (list.size() > MAX_ITEMS) {
                  throw tooMany(key + "." + name, MAX_ITEMS);
                }
                TreeSet<String> users = new TreeSet<>();
                for (Object user : list) {
                  users.add(name(bounded(key, textOf(user, key), MAX_TEXT), key));
                }
                members.put(name, new JsonArray(new ArrayList<>(users)));
              }
              return members;
            });
  }

  private static List<WireMap> capped(WireMap m, String key) {
    List<Object> list = m.list(key);
    if (list.size() > MAX_ITEMS) {
      throw tooMany(key, MAX_ITEMS);
    }
    return m.mapList(key);
  }

  private static String text(WireMap m, String key, int max) {
    return bounded(key, StorableText.of(m.text(key)), max);
  }

  private static Optional<String> optionalText(WireMap m, String key, int max) {
    return m.optionalText(key).map(v -> bounded(key, StorableText.of(v), max));
  }

  private static String textOf(Object value, String what) {
    if (value instanceof String || value instanceof Bytes) {
      return (String) StorableText.json(value);
    }
    throw OutpostException.badRequest("'" + what + "' must hold text");
  }

  private static String bounded(String key, String value, int max) {
    if (value.length() > max) {
      throw OutpostException.badRequest(
          "'" + key + "' is longer than " + max + " characters (" + value.length() + ")");
    }
    return value;
  }

  private static String name(String value, String key) {
    if (value.isEmpty()) {
      throw OutpostException.badRequest("'" + key + "' holds an empty name");
    }
    return value;
  }

  private static OutpostException tooMany(String key, int max) {
    return OutpostException.badRequest("'" + key + "' has more than " + max + " items");
  }
}
