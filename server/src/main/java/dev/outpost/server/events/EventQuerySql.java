package dev.outpost.server.events;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityQuery;
import dev.outpost.server.activity.ActivityQuery.ComputerMatch;
import dev.outpost.server.activity.ActivityQuery.Term;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.Expr.And;
import dev.outpost.server.query.Expr.Not;
import dev.outpost.server.query.Expr.Or;
import java.util.List;

/**
 * The activity query language on events (the rows of {@code EventLog}'s read, aliased {@code e}): a
 * term holds of an event when it holds of the event's activity, {@code status:} of the status it
 * moved to, and {@code computer:} terms of a computer's own events too. Terms of an activity's
 * creation time say nothing of an event, and a group has no events of its own: both are refused
 * (400) before anything runs, so a query that can never match is said at once.
 */
final class EventQuerySql {

  private final List<Object> params;

  /**
   * A compiler numbering its parameters after those in {@code params}, where it adds its values.
   */
  EventQuerySql(List<Object> params) {
    this.params = params;
  }

  /** Refuses, by a 400 naming the term, a query that makes no sense on events. */
  static ActivityQuery checked(ActivityQuery query) {
    query.expression().ifPresent(EventQuerySql::check);
    return query;
  }

  private static void check(Expr<Term> expr) {
    if (expr instanceof Term term) {
      switch (term.key()) {
        case CREATED_AFTER, CREATED_BEFORE ->
            throw OutpostException.badRequest(
                "'"
                    + term.key().word()
                    + ":' says when an activity was created, not when an event happened; events"
                    + " are selected by id:, parent-id:, status: (the status moved to), type:,"
                    + " computer-id:, computer: and creator:");
        case TYPE -> {
          if (ActivityType.GROUP.equals(term.value())) {
            throw OutpostException.badRequest(
                "'type:ActivityGroup' selects no event: a group's status is its children's, whose"
                    + " events name the group as parent (parent-id:)");
          }
        }
        default -> {}
      }
    } else if (expr instanceof And<Term> and) {
      and.parts().forEach(EventQuerySql::check);
    } else if (expr instanceof Or<Term> or) {
      or.parts().forEach(EventQuerySql::check);
    } else {
      check(((Not<Term>) expr).part());
    }
  }

  /** The condition of a {@link #checked} query, {@code TRUE} for the one that matches all. */
  String condition(ActivityQuery query) {
    return query.expression().map(e -> Expr.sql(e, Term.class, this::term)).orElse("TRUE");
  }

  private String term(Term term) {
    return switch (term.key()) {
      case ID -> "e.activity_id = " + param(term.value());
      case PARENT_ID -> "e.parent_id = " + param(term.value());
      case COMPUTER_ID -> "e.computer_id = " + param(term.value());
      case TYPE -> "e.type = " + param(term.value());
      case STATUS -> "e.to_status = " + param(term.value());
      case CREATOR -> "e.creator = " + param(term.value());
      case COMPUTER -> computer((ComputerMatch) term.value());
      case CREATED_AFTER, CREATED_BEFORE ->
          throw new IllegalStateException("a query not checked for events: " + term.key());
    };
  }

  /** The event's account is the computer's, so matching by computer needs no account here. */
  private String computer(ComputerMatch match) {
    return switch (match.field()) {
      case ID -> "e.computer_id = " + param(match.value());
      case TITLE ->
          "e.computer_id IN (SELECT c.id FROM computers c WHERE c.title = "
              + param(match.value())
              + ")";
      case TAG ->
          "e.computer_id IN (SELECT c.id FROM computers c WHERE "
              + param(match.value())
              + " = ANY(c.tags))";
    };
  }

  private String param(Object value) {
    params.add(value);
    return "$" + params.size();
  }
}
