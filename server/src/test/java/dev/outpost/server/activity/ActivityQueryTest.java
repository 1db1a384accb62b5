package dev.outpost.server.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.activity.ActivityQuery.ComputerField;
import dev.outpost.server.activity.ActivityQuery.ComputerMatch;
import dev.outpost.server.activity.ActivityQuery.Key;
import dev.outpost.server.activity.ActivityQuery.Term;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.Expr.And;
import dev.outpost.server.query.Expr.Not;
import dev.outpost.server.query.Expr.Or;
import dev.outpost.server.query.QueryParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The query parser and its SQL, without a database. */
class ActivityQueryTest {

  private static final Term FAILED = new Term(Key.STATUS, "failed");
  private static final Term CANCELED = new Term(Key.STATUS, "canceled");
  private static final Term SCRIPT = new Term(Key.TYPE, "ExecuteScriptRequest");

  /** Verifies that terms side by side AND together and that AND binds tighter than OR. */
  @Test
  void andBindsTighterThanOr() {
    assertThat(tree("status:failed type:ExecuteScriptRequest OR status:canceled"))
        .isEqualTo(new Or<>(List.of(new And<>(List.of(FAILED, SCRIPT)), CANCELED)));
    assertThat(tree("status:canceled OR status:failed AND type:ExecuteScriptRequest"))
        .isEqualTo(new Or<>(List.of(CANCELED, new And<>(List.of(FAILED, SCRIPT)))));
  }

  /**
   * Verifies that parentheses group, NOT applies to the next term or group, and case does not
   * matter.
   */
  @Test
  void parenthesesAndNotGroup() {
    assertThat(tree("(status:failed or status:canceled) type:ExecuteScriptRequest"))
        .isEqualTo(new And<>(List.of(new Or<>(List.of(FAILED, CANCELED)), SCRIPT)));
    assertThat(tree("not status:failed type:ExecuteScriptRequest"))
        .isEqualTo(new And<>(List.of(new Not<>(FAILED), SCRIPT)));
    assertThat(tree("NOT (status:failed OR status:canceled)"))
        .isEqualTo(new Not<>(new Or<>(List.of(FAILED, CANCELED))));
    assertThat(tree("NOT NOT status:failed")).isEqualTo(new Not<>(new Not<>(FAILED)));
    assertThat(tree("((status:failed))")).isEqualTo(FAILED);
  }

  /** Verifies the values of the new terms: times, creator and the three computer forms. */
  @Test
  void parsesTheValuesOfEachTerm() {
    assertThat(tree("created-after:2030-01-31"))
        .isEqualTo(new Term(Key.CREATED_AFTER, Instant.parse("2030-01-31T00:00:00Z")));
    assertThat(tree("created-before:2030-01-31T12:30:00+02:00"))
        .isEqualTo(new Term(Key.CREATED_BEFORE, Instant.parse("2030-01-31T10:30:00Z")));
    assertThat(tree("created-before:2030-01-31T12:30"))
        .isEqualTo(new Term(Key.CREATED_BEFORE, Instant.parse("2030-01-31T12:30:00Z")));
    assertThat(tree("creator:alice")).isEqualTo(new Term(Key.CREATOR, "alice"));
    assertThat(tree("computer:id:5"))
        .isEqualTo(new Term(Key.COMPUTER, new ComputerMatch(ComputerField.ID, 5L)));
    assertThat(tree("computer:tag:web"))
        .isEqualTo(new Term(Key.COMPUTER, new ComputerMatch(ComputerField.TAG, "web")));
    assertThat(tree("computer:title:\"web (1) \\\"eu\\\"\""))
        .isEqualTo(
            new Term(Key.COMPUTER, new ComputerMatch(ComputerField.TITLE, "web (1) \"eu\"")));
    assertThat(tree("\"creator:OR\"")).isEqualTo(new Term(Key.CREATOR, "OR"));
  }

  /** Verifies that an empty query matches everything. */
  @Test
  void anEmptyQueryMatchesEverything() {
    assertThat(ActivityQuery.parse("   ").expression()).isEmpty();
    assertThat(
            new QuerySql(new ArrayList<>()).condition(ActivityQuery.parse(""), QuerySql.Scope.ANY))
        .isEqualTo("TRUE");
  }

  /** Verifies that every malformed query is a 400 naming what is wrong. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "status:failed OR            | 'OR' needs a term after it",
        "OR status:failed            | 'OR' needs a term before it",
        "status:failed OR OR id:1    | 'OR' needs a term after it",
        "status:failed AND           | 'AND' needs a term after it",
        "NOT                         | 'NOT' needs a term after it",
        "status:failed NOT           | 'NOT' needs a term after it",
        "NOT OR status:failed        | 'NOT' needs a term after it",
        "(status:failed              | '(' is never closed",
        "(status:failed OR (id:1)    | '(' is never closed",
        "status:failed)              | ')' has no '('",
        ")                           | ')' has no '('",
        "()                          | empty parentheses",
        "status:bogus                | 'bogus'",
        "colour:red                  | 'colour:'",
        "failed                      | 'failed' is not of the form key:value",
        "creator:                    | 'creator:' has no value",
        "computer:name:web           | unknown computer field 'name'",
        "computer:tag:               | 'computer:tag:' has no value",
        "computer:id:web             | 'web'",
        "created-after:yesterday     | 'yesterday'",
        "created-before:2030-13-01   | '2030-13-01'",
        "created-after:+20000-01-01  | '+20000-01-01'",
        "creator:\"alice             | unterminated quote",
      })
  void malformedQueriesAreRefusedByName(String query, String message) {
    assertThatThrownBy(() -> ActivityQuery.parse(query))
        .isInstanceOfSatisfying(
            OutpostException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains(message);
            });
  }

  /** Verifies that nesting and term counts are bounded, so a huge query is a 400, not a crash. */
  @Test
  void boundsHostileQueries() {
    assertThatThrownBy(() -> ActivityQuery.parse("(".repeat(1_000) + "id:1" + ")".repeat(1_000)))
        .hasMessageContaining("deeper than " + QueryParser.MAX_DEPTH);
    assertThatThrownBy(() -> ActivityQuery.parse("id:1 OR ".repeat(QueryParser.MAX_TERMS) + "id:1"))
        .hasMessageContaining("more than " + QueryParser.MAX_TERMS + " terms");
  }

  /**
   * Verifies that NOTs count toward the depth as parentheses do: a chain of them is a 400, not a
   * recursion as deep as the chain is long.
   */
  @Test
  void notChainsCountTowardTheDepth() {
    assertThat(ActivityQuery.parse("NOT ".repeat(QueryParser.MAX_DEPTH) + "id:1").expression())
        .isPresent();
    assertThatThrownBy(() -> ActivityQuery.parse("NOT ".repeat(QueryParser.MAX_DEPTH + 1) + "id:1"))
        .hasMessageContaining("deeper than " + QueryParser.MAX_DEPTH);
    assertThatThrownBy(
            () ->
                ActivityQuery.parse(
                    "NOT (".repeat(QueryParser.MAX_DEPTH / 2 + 1)
                        + "id:1"
                        + ")".repeat(QueryParser.MAX_DEPTH / 2 + 1)))
        .hasMessageContaining("deeper than " + QueryParser.MAX_DEPTH);
    assertThatThrownBy(() -> ActivityQuery.parse("NOT ".repeat(1_000) + "id:1"))
        .isInstanceOfSatisfying(OutpostException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  /** Verifies that a query longer than the cap is a 400 naming the cap, before it is parsed. */
  @Test
  void refusesQueriesLongerThanTheCap() {
    String longest = "id:1" + " ".repeat(QueryParser.MAX_LENGTH - 4);
    assertThat(ActivityQuery.parse(longest).expression()).isPresent();
    assertThatThrownBy(() -> ActivityQuery.parse(longest + " "))
        .isInstanceOfSatisfying(
            OutpostException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains("at most " + QueryParser.MAX_LENGTH);
            });
  }

  /**
   * Verifies that values only travel as parameters, and that a conjunct which rules groups out
   * leaves the status on the stored column (the index), while NOT folds SQL's NULL to false.
   */
  @Test
  void compilesToParameterisedSql() {
    List<Object> params = new ArrayList<>(List.of(7L));
    String sql =
        new QuerySql(params)
            .condition(
                ActivityQuery.parse(
                    "status:failed type:ExecuteScriptRequest OR NOT creator:\"x' OR 1=1\""),
                QuerySql.Scope.ANY);

    assertThat(sql)
        .isEqualTo("((a.status = $2 AND a.type = $3) OR NOT COALESCE(a.creator = $4, FALSE))");
    assertThat(params).containsExactly(7L, "failed", "ExecuteScriptRequest", "x' OR 1=1");
    assertThat(
            new QuerySql(new ArrayList<>())
                .condition(ActivityQuery.parse("status:failed"), QuerySql.Scope.ANY))
        .isEqualTo("(a.status = $1 OR (a.status IS NULL AND group_status(a.id) = $1))");
    assertThat(
            new QuerySql(new ArrayList<>())
                .condition(
                    ActivityQuery.parse("type:ActivityGroup status:failed"), QuerySql.Scope.ANY))
        .isEqualTo("(a.status IS NULL AND group_status(a.id) = $1)");
  }

  private static Expr<Term> tree(String query) {
    return ActivityQuery.parse(query).expression().orElseThrow();
  }
}
