package dev.outpost.server.computer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a computer's client last reported of the computer: its distribution, its hardware (memory,
 * processors, network devices), its users and groups. The exchange writes them ({@code
 * ReportStore}); this reads them for the API.
 */
public final class ComputerInventory {

  /** A kept report: its body as the exchange kept it, and when it came. */
  public record Report(JsonObject body, Instant receivedAt) {}

  /** One user of a computer, with the groups it is a member of (by name). */
  public record User(JsonObject body, List<String> groups) {}

  /** One group of a computer. */
  public record Group(String name, long gid, List<String> members) {}

  /** A computer's users and groups, by name, and when its client last reported a change. */
  public record Users(List<User> users, List<Group> groups, Optional<Instant> reportedAt) {}

  private final Pool pool;
  private final ComputerStore computers;

  /** Reads over the shared pool; {@code computers} answers whether the account has a computer. */
  public ComputerInventory(Pool pool, ComputerStore computers) {
    this.pool = pool;
    this.computers = computers;
  }

  /** The latest reports of a computer the caller found in the account, by type. */
  public Future<Map<String, Report>> reports(Computer computer) {
    return pool.preparedQuery(
            "SELECT type, body, received_at FROM computer_reports WHERE computer_id = $1")
        .execute(Tuple.of(computer.id()))
        .map(
            rows -> {
              Map<String, Report> reports = new HashMap<>();
              for (Row row : rows) {
                reports.put(
                    row.getString("type"),
                    new Report(
                        (JsonObject) row.getValue("body"),
                        row.getOffsetDateTime("received_at").toInstant()));
              }
              return reports;
            });
  }

  /** The computer's users and groups (a computer of the account, or 404). */
  public Future<Users> users(long accountId, long computerId) {
    return computers
        .find(accountId, computerId)
        .compose(
            found -> {
              Future<List<Group>> groups =
                  pool.preparedQuery(
                          """
                      SELECT name, gid, members FROM computer_groups
                       WHERE computer_id = $1 ORDER BY name
                      """)
                      .execute(Tuple.of(computerId))
                      .map(
                          rows -> {
                            List<Group> list = new ArrayList<>(rows.size());
                            for (Row row : rows) {
                              list.add(
                                  new Group(
                                      row.getString("name"),
                                      row.getLong("gid"),
                                      List.of(row.getArrayOfStrings("members"))));
                            }
                            return list;
                          });
              Future<List<JsonObject>> users =
                  pool.preparedQuery(
                          """
                      SELECT body FROM computer_users WHERE computer_id = $1 ORDER BY username
                      """)
                      .execute(Tuple.of(computerId))
                      .map(
                          rows -> {
                            List<JsonObject> list = new ArrayList<>(rows.size());
                            rows.forEach(row -> list.add((JsonObject) row.getValue("body")));
                            return list;
                          });
              Future<Optional<Instant>> at =
                  pool.preparedQuery(
                          """
                      SELECT received_at FROM computer_reports
                       WHERE computer_id = $1 AND type = 'users'
                      """)
                      .execute(Tuple.of(computerId))
                      .map(
                          rows ->
                              rows.size() == 0
                                  ? Optional.empty()
                                  : Optional.of(
                                      rows.iterator().next().getOffsetDateTime(0).toInstant()));
              return Future.all(groups, users, at)
                  .map(done -> assemble(users.result(), groups.result(), at.result()));
            });
  }

  private static Users assemble(
      List<JsonObject> bodies, List<Group> groups, Optional<Instant> reportedAt) {
    Map<String, List<String>> memberOf = new HashMap<>();
    for (Group group : groups) {
      for (String member : group.members()) {
        memberOf.computeIfAbsent(member, m -> new ArrayList<>()).add(group.name());
      }
    }
    List<User> users = new ArrayList<>(bodies.size());
    for (JsonObject body : bodies) {
      users.add(new User(body, memberOf.getOrDefault(body.getString("username"), List.of())));
    }
    return new Users(users, groups, reportedAt);
  }

  /** The JSON array of a report's list, empty when the report or the list is missing. */
  public static JsonArray list(Report report, String key) {
    if (report == null || !(report.body().getValue(key) instanceof JsonArray array)) {
      return new JsonArray();
    }
    return array;
  }
}
