package dev.outpost.server.activity;

import dev.outpost.common.error.OutpostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The activity query language: terms {@code key:value}, combined with {@code OR}, {@code NOT} and
 * parentheses; terms side by side (or joined by {@code AND}) must all hold, and AND binds tighter
 * than OR.
 *
 * <p>Parsing ({@link QueryParser}) is separate from SQL ({@link QuerySql}) so that an unknown key
 * or value, or a malformed expression, is a 400 before any query runs.
 */
public final class ActivityQuery {

  /** A parsed expression. */
  public sealed interface Expr permits And, Or, Not, Term {}

  /** Every part holds. */
  public record And(List<Expr> parts) implements Expr {
    /** Keeps an immutable copy of the parts. */
    public And {
      parts = List.copyOf(parts);
    }
  }

  /** At least one part holds. */
  public record Or(List<Expr> parts) implements Expr {
    /** Keeps an immutable copy of the parts. */
    public Or {
      parts = List.copyOf(parts);
    }
  }

  /** The part does not hold. */
  public record Not(Expr part) implements Expr {}

  /**
   * One term; the value is already checked and typed: a {@code Long} for ids, the status's wire
   * name, the type name, an {@code Instant} for times, a {@link ComputerMatch} for computers.
   */
  public record Term(Key key, Object value) implements Expr {}

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
      for (Key key : values()) {
        if (key.word.equals(word.toLowerCase(Locale.ROOT))) {
          return key;
        }
      }
      throw OutpostException.badRequest(
          "unknown query term '"
              + word
              + ":'; known terms are "
              + String.join(
                  ", ", java.util.Arrays.stream(values()).map(k -> k.word + ":").toList()));
    }
  }

  private static final ActivityQuery ALL = new ActivityQuery(Optional.empty());

  private final Optional<Expr> expression;

  private ActivityQuery(Optional<Expr> expression) {
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
    return new ActivityQuery(QueryParser.parse(text));
  }

  /** The expression tree; empty for the query that matches everything. */
  public Optional<Expr> expression() {
    return expression;
  }
}
