package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.QueryParser;
import dev.outpost.server.query.QueryValues;
import java.util.Locale;
import java.util.Optional;

/**
 * The activity query language: terms {@code key:value}, combined with {@code OR}, {@code NOT} and
 * parentheses; terms side by side (or joined by {@code AND}) must all hold, and AND binds tighter
 * than OR.
 *
 * <p>Parsing ({@link QueryParser}, with this language's {@link #GRAMMAR}) is separate from SQL
 * ({@link QuerySql}) so that an unknown key or value, or a malformed expression, is a 400 before
 * any query runs.
 */
public final class ActivityQuery {

  /**
   * One term; the value is already checked and typed: a {@code Long} for ids, the status's wire
   * name, the type name, an {@code Instant} for times, a {@link ComputerMatch} for computers.
   */
  public record Term(Key key, Object value) implements Expr<Term> {}

  /** What a {@code computer:} term matches computers by. */
  public enum ComputerField {
    ID,
    TITLE,
    TAG;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The value of a {@code computer:} term: {@code computer:tag:web} is (TAG, "web"). */
  public record ComputerMatch(ComputerField field, Object value) {}

  /** The keys the language knows. */
  public enum Key {
    ID("id"),
    PARENT_ID("parent-id"),
    STATUS("status"),
    TYPE("type"),
    COMPUTER_ID("computer-id"),
    COMPUTER("computer"),
    CREATOR("creator"),
    CREATED_AFTER("created-after"),
    CREATED_BEFORE("created-before");

    private final String word;

    Key(String word) {
      this.word = word;
    }

    /** The key as written in a query. */
    public String word() {
      return word;
    }

    static Key parse(String word) {
      return QueryParser.key(values(), Key::word, word);
    }
  }

  /** The terms of activities. */
  private static final QueryParser.Grammar<Term> GRAMMAR =
      (word, value) -> {
        Key key = Key.parse(word);
        return new Term(key, value(key, value));
      };

  private static final ActivityQuery ALL = new ActivityQuery(Optional.empty());

  private final Optional<Expr<Term>> expression;

  private ActivityQuery(Optional<Expr<Term>> expression) {
    this.expression = expression;
  }

  /** The query that matches everything. */
  public static ActivityQuery all() {
    return ALL;
  }

  /**
   * Parses a query, failing with a 400 that names the first unknown term or value, or the operator
   * or parenthesis that has nothing to apply to.
   */
  public static ActivityQuery parse(String text) {
    return new ActivityQuery(QueryParser.parse(GRAMMAR, text));
  }

  private static Object value(Key key, String value) {
    return switch (key) {
      case ID, PARENT_ID, COMPUTER_ID -> QueryValues.number(key.word(), value);
      case STATUS ->
          Status.parse(value)
              .orElseThrow(
                  () ->
                      OutpostException.badRequest(
                          "unknown status '"
                              + value
                              + "'; known: queued scheduled waiting blocked in-progress failed canceled succeeded"
                              + " undelivered delivered unapproved"))
              .wireName();
      case TYPE -> {
        if (!ActivityType.GROUP.equals(value) && ActivityTypes.find(value).isEmpty()) {
          throw OutpostException.badRequest("unknown activity type '" + value + "'");
        }
        yield value;
      }
      case CREATOR -> value;
      case CREATED_AFTER, CREATED_BEFORE -> QueryValues.time(key.word(), value);
      case COMPUTER -> computer(value);
    };
  }

  /** {@code id:5}, {@code title:web-1} or {@code tag:web}: the part after {@code computer:}. */
  private static ComputerMatch computer(String value) {
    int colon = value.indexOf(':');
    String field = colon < 0 ? value : value.substring(0, colon);
    String wanted = colon < 0 ? "" : value.substring(colon + 1);
    for (ComputerField known : ComputerField.values()) {
      if (known.word().equals(field.toLowerCase(Locale.ROOT))) {
        if (wanted.isEmpty()) {
          throw OutpostException.badRequest("query term 'computer:" + value + "' has no value");
        }
        return new ComputerMatch(
            known, known == ComputerField.ID ? QueryValues.number("computer:id", wanted) : wanted);
      }
    }
    throw OutpostException.badRequest(
        "unknown computer field '"
            + field
            + "' in 'computer:"
            + value
            + "'; use computer:id:N, computer:title:T or computer:tag:T");
  }

  /** The expression tree; empty for the query that matches everything. */
  public Optional<Expr<Term>> expression() {
    return expression;
  }
}
