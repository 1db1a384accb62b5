package dev.outpost.server.packages;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Package changes named in the API, resolved to the package ids one computer knows, as the
 * Landscape Client's changer takes them. Parameters {@code install}, {@code upgrade}, {@code
 * remove}, {@code hold} and {@code remove_hold} list package names, each as {@code name} or {@code
 * name=version}: an install is a version available and not installed, an upgrade one of the
 * computer's available upgrades (sent as an install, as Landscape does), a removal, hold or release
 * one installed (held, for a release). A computer whose client takes no part in the hash-id
 * handshake (its accepted types do not name {@code package-ids}: Outpost's own agent) is sent the
 * names as given.
 */
public final class PackageChoices {

  /** The message type whose ids are resolved here. */
  public static final String CHANGE_PACKAGES = "change-packages";

  /** The changer's policies, by the name the API gives them. */
  private static final Map<String, Long> POLICIES =
      Map.of("strict", 1L, "allow-installs", 2L, "allow-all-changes", 3L);

  /** The policy sent when the request names none: extra installs a change needs are allowed. */
  private static final String DEFAULT_POLICY = "allow-installs";

  /** The problems a refusal names at most. */
  private static final int NAMED_PROBLEMS = 5;

  /** What each named parameter asks for, and the wire field its ids go to. */
  private enum Action {
    INSTALL("install", "install", c -> c.available() && !c.installed(), "no version to install"),
    UPGRADE("upgrade", "install", Candidate::upgradable, "no upgrade available"),
    REMOVE("remove", "remove", Candidate::installed, "is not installed"),
    HOLD("hold", "hold", Candidate::installed, "is not installed"),
    REMOVE_HOLD("remove_hold", "remove-hold", Candidate::held, "is not held");

    final String parameter;
    final String wireField;
    final Predicate<Candidate> fits;
    final String none;

    Action(String parameter, String wireField, Predicate<Candidate> fits, String none) {
      this.parameter = parameter;
      this.wireField = wireField;
      this.fits = fits;
      this.none = none;
    }

    /** Several installed versions (of several architectures) are all removed, held, released. */
    boolean takesAll() {
      return this == REMOVE || this == HOLD || this == REMOVE_HOLD;
    }
  }

  /** A package a computer knows, with the lists it is in. */
  record Candidate(
      long id,
      String name,
      String version,
      boolean installed,
      boolean available,
      boolean upgradable,
      boolean held) {}

  /**
   * One computer's resolution: the message's fields (ids by wire field) when its client takes part
   * in the handshake, empty when it is sent the names; the problems that stop it.
   */
  public record Resolved(Optional<Map<String, List<Long>>> ids, List<String> problems) {}

  private PackageChoices() {}

  /** Whether the parameters name packages to resolve. */
  public static boolean namesPackages(JsonObject parameters) {
    for (Action action : Action.values()) {
      JsonArray names = parameters.getJsonArray(action.parameter);
      if (names != null && !names.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Refuses a policy the changer does not know, with a 400 naming the known ones. */
  public static void checkPolicy(JsonObject parameters) {
    String policy = parameters.getString("policy");
    if (policy != null && !POLICIES.containsKey(policy)) {
      throw OutpostException.badRequest(
          "parameter 'policy' is '"
              + policy
              + "'; one of allow-installs (the default), allow-all-changes, strict");
    }
  }

  /** The policy's number, as the changer reads it. */
  public static long policy(JsonObject parameters) {
    return POLICIES.get(Optional.ofNullable(parameters.getString("policy")).orElse(DEFAULT_POLICY));
  }

  /**
   * Checks that every computer can resolve every name: a 400 names what one cannot, the computer
   * and the name.
   */
  public static Future<Void> check(
      SqlClient conn, long accountId, List<Long> computerIds, JsonObject parameters) {
    checkPolicy(parameters);
    if (!namesPackages(parameters) || computerIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return resolve(conn, Optional.of(accountId), computerIds, parameters)
        .map(
            resolved -> {
              List<String> problems = new ArrayList<>();
              resolved.values().forEach(r -> problems.addAll(r.problems()));
              if (!problems.isEmpty()) {
                throw OutpostException.badRequest(
                    String.join(
                            "; ", problems.subList(0, Math.min(NAMED_PROBLEMS, problems.size())))
                        + (problems.size() > NAMED_PROBLEMS
                            ? "; and " + (problems.size() - NAMED_PROBLEMS) + " more"
                            : ""));
              }
              return null;
            });
  }

  /** Each computer's resolution of the names, by computer id; of the account's, when given. */
  public static Future<Map<Long, Resolved>> resolve(
      SqlClient conn, Optional<Long> accountId, List<Long> computerIds, JsonObject parameters) {
    Set<String> names = new LinkedHashSet<>();
    for (Action action : Action.values()) {
      for (String asked : names(parameters, action)) {
        names.add(nameOf(asked));
      }
    }
    return conn.preparedQuery(
            """
            SELECT c.id, 'package-ids' = ANY(c.client_types) AS takes_ids,
                   p.id AS package_id, p.name, p.version,
                   p.id = ANY(cp.installed) AS installed, p.id = ANY(cp.available) AS available,
                   p.id = ANY(cp.upgradable) AS upgradable, p.id = ANY(cp.held) AS held
              FROM computers c
              LEFT JOIN computer_packages cp ON cp.computer_id = c.id
              LEFT JOIN packages p ON cp.computer_id IS NOT NULL
                    AND p.account_id = c.account_id AND p.name = ANY($2)
             WHERE c.id = ANY($1) AND ($3::bigint IS NULL OR c.account_id = $3)
            """)
        .execute(
            Tuple.tuple()
                .addArrayOfLong(computerIds.toArray(Long[]::new))
                .addArrayOfString(names.toArray(String[]::new))
                .addLong(accountId.orElse(null)))
        .map(
            rows -> {
              Map<Long, Boolean> takesIds = new LinkedHashMap<>();
              Map<Long, List<Candidate>> known = new LinkedHashMap<>();
              for (Row row : rows) {
                long computer = row.getLong("id");
                takesIds.put(computer, Boolean.TRUE.equals(row.getBoolean("takes_ids")));
                List<Candidate> candidates =
                    known.computeIfAbsent(computer, c -> new ArrayList<>());
                if (row.getValue("package_id") != null) {
                  candidates.add(
                      new Candidate(
                          row.getInteger("package_id"),
                          row.getString("name"),
                          row.getString("version"),
                          Boolean.TRUE.equals(row.getBoolean("installed")),
                          Boolean.TRUE.equals(row.getBoolean("available")),
                          Boolean.TRUE.equals(row.getBoolean("upgradable")),
                          Boolean.TRUE.equals(row.getBoolean("held"))));
                }
              }
              Map<Long, Resolved> resolved = new LinkedHashMap<>();
              for (Map.Entry<Long, Boolean> computer : takesIds.entrySet()) {
                resolved.put(
                    computer.getKey(),
                    computer.getValue()
                        ? choose(computer.getKey(), known.get(computer.getKey()), parameters)
                        : new Resolved(Optional.empty(), List.of()));
              }
              return resolved;
            });
  }

  /** One computer's ids for the names, from the packages it knows by those names. */
  static Resolved choose(long computerId, List<Candidate> known, JsonObject parameters) {
    Map<String, List<Long>> fields = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Action action : Action.values()) {
      for (String asked : names(parameters, action)) {
        String name = nameOf(asked);
        Optional<String> version =
            asked.contains("=")
                ? Optional.of(asked.substring(asked.indexOf('=') + 1))
                : Optional.empty();
        List<Candidate> fit =
            known.stream()
                .filter(c -> c.name().equals(name))
                .filter(c -> version.map(v -> v.equals(c.version())).orElse(true))
                .filter(action.fits)
                .toList();
        String where = " on computer " + computerId;
        if (fit.isEmpty()) {
          boolean heard = known.stream().anyMatch(c -> c.name().equals(name));
          problems.add(
              heard
                  ? action.parameter + ": package '" + asked + "' " + wording(action) + where
                  : action.parameter + ": package '" + name + "' is unknown" + where);
          continue;
        }
        if (fit.size() > 1 && !action.takesAll()) {
          problems.add(
              action.parameter
                  + ": package '"
                  + name
                  + "' has several versions"
                  + where
                  + " ("
                  + String.join(", ", fit.stream().map(Candidate::version).toList())
                  + "); name one as "
                  + name
                  + "=VERSION");
          continue;
        }
        List<Long> ids = fields.computeIfAbsent(action.wireField, f -> new ArrayList<>());
        fit.forEach(c -> ids.add(c.id()));
      }
    }
    return new Resolved(Optional.of(fields), problems);
  }

  /**
   * The change-packages message as the computer takes it: with ids in place of names and the
   * policy's number, when its client takes part in the handshake; else as built, names and all.
   */
  public static Map<String, Object> message(
      Map<String, Object> built, JsonObject parameters, Resolved resolved) {
    if (resolved.ids().isEmpty()) {
      return built;
    }
    Map<String, Object> message = new LinkedHashMap<>(built);
    for (Action action : Action.values()) {
      message.remove(action.parameter.replace('_', '-'));
    }
    message.putAll(resolved.ids().get());
    message.put("policy", policy(parameters));
    return message;
  }

  private static String wording(Action action) {
    return action.none.startsWith("is") ? action.none : "has " + action.none;
  }

  private static List<String> names(JsonObject parameters, Action action) {
    JsonArray names = parameters.getJsonArray(action.parameter);
    if (names == null) {
      return List.of();
    }
    List<String> list = new ArrayList<>(names.size());
    names.forEach(n -> list.add(String.valueOf(n)));
    return list;
  }

  private static String nameOf(String asked) {
    int equals = asked.indexOf('=');
    return equals < 0 ? asked : asked.substring(0, equals);
  }
}
