package dev.outpost.server.computer;

import dev.outpost.server.activity.DueRule;
import dev.outpost.server.computer.ComputerQuery.Term;
import dev.outpost.server.query.Expr;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Turns a parsed computer query into one SQL condition on the computers table aliased {@code c}.
 * Values only ever travel as {@code $n} parameters; the SQL text comes from this class alone.
 */
final class ComputerQuerySql {

  private final List<Object> params;
  private final Instant now;
  private String nowParam;

  /**
   * Creates a compiler that numbers its parameters after those in {@code params}; {@code pending:}
   * asks what is due at {@code now}.
   */
  ComputerQuerySql(List<Object> params, Instant now) {
    this.params = params;
    this.now = now;
  }

  /** The condition of the query, or {@code TRUE} for the query that selects every computer. */
  String condition(ComputerQuery query) {
    return query.expression().map(e -> Expr.sql(e, Term.class, this::term)).orElse("TRUE");
  }

  private String term(Term term) {
    return switch (term.key()) {
      case ID -> "c.id = " + param(term.value());
      case TITLE -> text("c.title", (String) term.value());
      case HOSTNAME -> text("c.hostname", (String) term.value());
      // containment, not = ANY, is what the GIN index of tags answers
      case TAG -> "c.tags @> ARRAY[" + param(term.value()) + "::text]";
      case REGISTERED_AFTER -> "c.registered_at >= " + param(time(term.value()));
      case REGISTERED_BEFORE -> "c.registered_at < " + param(time(term.value()));
      case LAST_EXCHANGE_AFTER -> "c.last_exchange_at >= " + param(time(term.value()));
      // a computer that never exchanged has not exchanged since any time
      case LAST_EXCHANGE_BEFORE ->
          "(c.last_exchange_at IS NULL OR c.last_exchange_at < " + param(time(term.value())) + ")";
      case PENDING -> ((Boolean) term.value() ? "" : "NOT ") + pending();
    };
  }

  /** Equal, or with {@code *} standing for any run of characters, LIKE. */
  private String text(String column, String wanted) {
    if (wanted.indexOf('*') < 0) {
      return column + " = " + param(wanted);
    }
    return column + " LIKE " + param(likePattern(wanted));
  }

  /** The LIKE pattern of a value whose {@code *} stands for any run: LIKE's own signs escaped. */
  static String likePattern(String wanted) {
    StringBuilder pattern = new StringBuilder(wanted.length() + 8);
    for (char c : wanted.toCharArray()) {
      switch (c) {
        case '*' -> pattern.append('%');
        case '%', '_', '\\' -> pattern.append('\\').append(c);
        default -> pattern.append(c);
      }
    }
    return pattern.toString();
  }

  /**
   * What {@code /ping} answers and {@code pending_messages} counts: a message waits in the
   * computer's outgoing store, or an activity is due for it ({@link DueRule}).
   */
  private String pending() {
    if (nowParam == null) {
      nowParam = param(now.atOffset(ZoneOffset.UTC));
    }
    return "(EXISTS (SELECT 1 FROM outgoing_messages o WHERE o.computer_id = c.id) OR "
        + DueRule.any("c.id", nowParam)
        + ")";
  }

  private String param(Object value) {
    params.add(value);
    return "$" + params.size();
  }

  private static Object time(Object value) {
    return ((Instant) value).atOffset(ZoneOffset.UTC);
  }
}
