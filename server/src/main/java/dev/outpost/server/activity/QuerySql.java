package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.server.activity.ActivityQuery.ComputerMatch;
import dev.outpost.server.activity.ActivityQuery.Key;
import dev.outpost.server.activity.ActivityQuery.Term;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.Expr.And;
import dev.outpost.server.query.Expr.Not;
import dev.outpost.server.query.Expr.Or;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a parsed query into one SQL condition on the activities table aliased {@code a}. Values
 * only ever travel as {@code $n} parameters; the SQL text comes from this class alone.
 */
final class QuerySql {

  /** Which rows the conditions around an expression already restrict it to. */
  enum Scope {
    /** Activities and groups alike. */
    ANY,
    /** Only activities that are not groups: the status is the stored one. */
    NO_GROUPS,
    /** Only groups: the status is the one derived from the children. */
    ONLY_GROUPS
  }

  private final List<Object> params;

  /**
   * Creates a compiler that numbers its parameters after those in {@code params}.
   *
   * @param params receives the values, in the order of their {@code $n}
   */
  QuerySql(List<Object> params) {
    this.params = params;
  }

  /** The condition of the query, or {@code TRUE} for the query that matches everything. */
  String condition(ActivityQuery query, Scope scope) {
    return query.expression().map(expr -> condition(expr, scope)).orElse("TRUE");
  }

  private String condition(Expr<Term> expr, Scope scope) {
    if (expr instanceof Term term) {
      return term(term, scope);
    }
    if (expr instanceof And<Term> and) {
      return join(and.parts(), narrowed(and, scope), " AND ");
    }
    if (expr instanceof Or<Term> or) {
      return join(or.parts(), scope, " OR ");
    }
    // SQL's NULL would make NOT unknown where the term is merely false: fold it to FALSE first.
    return "NOT COALESCE(" + condition(((Not<Term>) expr).part(), scope) + ", FALSE)";
  }

  /**
   * A conjunct that rules groups out lets every other one skip the derived status, which keeps
   * "status:failed type:ExecuteScriptRequest" on the (account, status, type, id) index; one that
   * admits only groups lets them skip the stored one.
   */
  private static Scope narrowed(And<Term> and, Scope scope) {
    if (scope != Scope.ANY) {
      return scope;
    }
    if (and.parts().stream().anyMatch(QuerySql::excludesGroups)) {
      return Scope.NO_GROUPS;
    }
    return and.parts().stream().anyMatch(QuerySql::onlyGroups) ? Scope.ONLY_GROUPS : scope;
  }

  private String join(List<Expr<Term>> parts, Scope scope, String operator) {
    return parts.stream()
        .map(part -> condition(part, scope))
        .collect(Collectors.joining(operator, "(", ")"));
  }

  private String term(Term term, Scope scope) {
    return switch (term.key()) {
      case ID -> "a.id = " + param(term.value());
      case PARENT_ID -> "a.parent_id = " + param(term.value());
      case COMPUTER_ID -> "a.computer_id = " + param(term.value());
      // By the table's check a group is exactly a row without a status of its own; saying it
      // that way lets the partial index of groups find them in order.
      case TYPE ->
          ActivityType.GROUP.equals(term.value())
              ? "a.status IS NULL"
              : "a.type = " + param(term.value());
      case STATUS -> status(param(term.value()), scope);
      case CREATOR -> "a.creator = " + param(term.value());
      case CREATED_AFTER -> "a.created_at >= " + param(time(term.value()));
      case CREATED_BEFORE -> "a.created_at < " + param(time(term.value()));
      case COMPUTER -> computer((ComputerMatch) term.value());
    };
  }

  /** A group has no stored status: it matches by the status derived from its children. */
  private static String status(String param, Scope scope) {
    return switch (scope) {
      case NO_GROUPS -> "a.status = " + param;
      case ONLY_GROUPS -> "group_status(a.id) = " + param;
      case ANY ->
          "(a.status = " + param + " OR (a.status IS NULL AND group_status(a.id) = " + param + "))";
    };
  }

  /**
   * An activity's computer always belongs to the activity's account, so the account condition on
   * the activities is enough and the subquery stays uncorrelated (a semi-join the planner can drive
   * from either side).
   */
  private String computer(ComputerMatch match) {
    return switch (match.field()) {
      case ID -> "a.computer_id = " + param(match.value());
      case TITLE ->
          "a.computer_id IN (SELECT c.id FROM computers c WHERE c.title = "
              + param(match.value())
              + ")";
      case TAG ->
          "a.computer_id IN (SELECT c.id FROM computers c WHERE c.tags @> ARRAY["
              + param(match.value())
              + "::text])";
    };
  }

  /** Whether no group can satisfy the expression: groups have no computer, parent or own type. */
  static boolean excludesGroups(Expr<Term> expr) {
    if (expr instanceof Term term) {
      return switch (term.key()) {
        case PARENT_ID, COMPUTER_ID, COMPUTER -> true;
        case TYPE -> !ActivityType.GROUP.equals(term.value());
        default -> false;
      };
    }
    if (expr instanceof And<Term> and) {
      return and.parts().stream().anyMatch(QuerySql::excludesGroups);
    }
    if (expr instanceof Or<Term> or) {
      return or.parts().stream().allMatch(QuerySql::excludesGroups);
    }
    return ((Not<Term>) expr).part() instanceof Term term
        && term.key() == Key.TYPE
        && ActivityType.GROUP.equals(term.value());
  }

  /** Whether only groups can satisfy the expression. */
  static boolean onlyGroups(Expr<Term> expr) {
    if (expr instanceof Term term) {
      return term.key() == Key.TYPE && ActivityType.GROUP.equals(term.value());
    }
    if (expr instanceof And<Term> and) {
      return and.parts().stream().anyMatch(QuerySql::onlyGroups);
    }
    if (expr instanceof Or<Term> or) {
      return or.parts().stream().allMatch(QuerySql::onlyGroups);
    }
    return false;
  }

  private String param(Object value) {
    params.add(value);
    return "$" + params.size();
  }

  private static Object time(Object value) {
    return ((Instant) value).atOffset(ZoneOffset.UTC);
  }
}
