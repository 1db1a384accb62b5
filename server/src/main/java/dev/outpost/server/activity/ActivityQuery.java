package dev.outpost.server.activity;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The activity query language: terms {@code key:value} separated by spaces, all of which must
 * hold. Keys: {@code id}, {@code parent-id}, {@code status}, {@code type}, {@code computer-id}.
 *
 * <p>Parsing is separate from SQL so that an unknown key or value is a 400 before any query runs.
 */
public final class ActivityQuery {

  /** One parsed term. */
  public record Term(Key key, Object value) {
  }

  /** The keys the language knows. */
  public enum Key {
    ID("id"),
    PARENT_ID("parent-id"),
    STATUS("status"),
    TYPE("type"),
    COMPUTER_ID("computer-id");

    private final String word;

    Key(String word) {
      this.word = word;
    }

    static Key parse(String word) {
      for (Key key : values()) {
        if (key.word.equals(word.toLowerCase(Locale.ROOT))) {
          return key;
        }
      }
      throw OutpostException.badRequest("unknown query term '" + word
          + ":'; known terms are id:, parent-id:, status:, type:, computer-id:");
    }
  }

  private final List<Term> terms;

  private ActivityQuery(List<Term> terms) {
    this.terms = List.copyOf(terms);
  }

  /** The query that matches everything. */
  public static ActivityQuery all() {
    return new ActivityQuery(List.of());
  }

  /** Parses a query, failing with a 400 that names the first unknown term or value. */
  public static ActivityQuery parse(String text) {
    List<Term> terms = new ArrayList<>();
    for (String word : text.strip().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      int colon = word.indexOf(':');
      if (colon <= 0) {
        throw OutpostException.badRequest(
            "query term '" + word + "' is not of the form key:value");
      }
      Key key = Key.parse(word.substring(0, colon));
      String value = word.substring(colon + 1);
      if (value.isEmpty()) {
        throw OutpostException.badRequest("query term '" + word + "' has no value");
      }
      terms.add(new Term(key, value(key, value)));
    }
    return new ActivityQuery(terms);
  }

  /** The parsed terms, in the order given. */
  public List<Term> terms() {
    return terms;
  }

  /**
   * Appends this query's conditions on the activities table aliased {@code a}.
   *
   * @param clauses receives one SQL condition per term
   * @param params receives the values, numbered after those already in it
   */
  public void appendSql(List<String> clauses, List<Object> params) {
    for (Term term : terms) {
      params.add(term.value());
      String p = "$" + params.size();
      clauses.add(switch (term.key()) {
        case ID -> "a.id = " + p;
        case PARENT_ID -> "a.parent_id = " + p;
        case COMPUTER_ID -> "a.computer_id = " + p;
        case TYPE -> "a.type = " + p;
        // A group has no stored status: it matches by the status derived from its children.
        case STATUS -> "(a.status = " + p + " OR (a.status IS NULL AND group_status(a.id) = " + p
            + "))";
      });
    }
  }

  private static Object value(Key key, String value) {
    return switch (key) {
      case ID, PARENT_ID, COMPUTER_ID -> number(key, value);
      case STATUS -> Status.parse(value)
          .orElseThrow(() -> OutpostException.badRequest("unknown status '" + value
              + "'; known: queued scheduled waiting blocked in-progress failed canceled succeeded"
              + " undelivered delivered unapproved"))
          .wireName();
      case TYPE -> {
        if (!ActivityType.GROUP.equals(value) && ActivityTypes.find(value).isEmpty()) {
          throw OutpostException.badRequest("unknown activity type '" + value + "'");
        }
        yield value;
      }
    };
  }

  private static long number(Key key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw OutpostException.badRequest(
          "query term '" + key.word + ":' needs a number, not '" + value + "'");
    }
  }
}
