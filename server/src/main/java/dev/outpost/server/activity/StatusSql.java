package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Status names in SQL text, made from {@link Status} and nowhere else: a statement writes {@code
 * {in-progress}} where it means the literal {@code 'in-progress'}. Statements pass status values as
 * parameters where they can; a literal is for a predicate a partial index must match (the planner
 * proves an index's predicate only from constants, so {@code status = $1} cannot use an index on
 * {@code WHERE status = 'in-progress'} in a prepared statement's generic plan).
 */
public final class StatusSql {

  private StatusSql() {}

  /** The template with each {@code {wire-name}} of a status replaced by that status's literal. */
  public static String of(String template) {
    String sql = template;
    for (Status status : Status.values()) {
      sql = sql.replace("{" + status.wireName() + "}", literal(status));
    }
    return sql;
  }

  /** The literals of the statuses, comma-separated, for {@code IN (...)}. */
  public static String list(Collection<Status> statuses) {
    return statuses.stream().sorted().map(StatusSql::literal).collect(Collectors.joining(", "));
  }

  /** An array parameter's value: the statuses' wire names. */
  public static String[] names(Collection<Status> statuses) {
    return statuses.stream().sorted().map(Status::wireName).toArray(String[]::new);
  }

  private static String literal(Status status) {
    return "'" + status.wireName() + "'";
  }
}
