package dev.outpost.server.account;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Administrators of the accounts, their tokens and their sessions. A change to any of them tells
 * every server's token cache (the tables' triggers), so a revoked token or a removed role stops
 * working everywhere at once.
 */
public final class AdministratorStore {

  /** Live API tokens one administrator may hold. */
  public static final int MAX_TOKENS = 100;

  /** Live sessions one administrator may hold; opening one more ends the oldest. */
  public static final int MAX_SESSIONS = 20;

  /** Administrators one account may have. */
  public static final int MAX_ADMINISTRATORS = 1_000;

  /** What an API token's secret looks like: its account's id, then 43 random characters. */
  private static final Pattern TOKEN = Pattern.compile("outpost_(\\d{1,18})_[A-Za-z0-9_-]{43}");

  private static final String ADMINISTRATOR_COLUMNS =
      "id, account_id, email, name, roles, password_hash IS NOT NULL AS has_password, created_at,"
          + " disabled_at";

  private final Pool pool;
  private final Clock clock;

  /** A store over the shared pool. */
  public AdministratorStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** An administrator's changes, each optional. */
  public record Changes(
      Optional<String> name,
      Optional<Set<Role>> roles,
      Optional<String> passwordHash,
      Optional<Boolean> disabled) {}

  /** A sign-in's candidate: the administrator an email names, with its password's hash. */
  public record Candidate(long id, long accountId, String email, Optional<String> passwordHash) {}

  /** A token just made, with its secret: shown this once. */
  public record Created(Token token, String secret) {}

  /** The account whose id a token's secret claims, if it has the shape of one. */
  public static Optional<Long> claimedAccount(String secret) {
    Matcher m = TOKEN.matcher(secret);
    return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
  }

  /** Adds an administrator; 409 when the account has one of that email. */
  public Future<Administrator> create(
      long accountId, String email, String name, Set<Role> roles, Optional<String> passwordHash) {
    return pool.preparedQuery("SELECT count(*) FROM administrators WHERE account_id = $1")
        .execute(Tuple.of(accountId))
        .compose(
            count -> {
              if (count.iterator().next().getLong(0) >= MAX_ADMINISTRATORS) {
                throw OutpostException.conflict(
                    "the account has " + MAX_ADMINISTRATORS + " administrators, the most it may");
              }
              return pool.preparedQuery(
                      "INSERT INTO administrators (account_id, email, name, password_hash, roles,"
                          + " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING "
                          + ADMINISTRATOR_COLUMNS)
                  .execute(
                      Tuple.of(
                          accountId,
                          email,
                          name,
                          passwordHash.orElse(null),
                          Role.names(roles),
                          now()));
            })
        .recover(
            failure ->
                Future.failedFuture(
                    unique(failure)
                        ? OutpostException.conflict("an administrator has the email " + email)
                        : failure))
        .map(rows -> administrator(rows.iterator().next()));
  }

  /** The account's administrators, by id. */
  public Future<List<Administrator>> list(long accountId) {
    return pool.preparedQuery(
            "SELECT "
                + ADMINISTRATOR_COLUMNS
                + " FROM administrators WHERE account_id = $1 ORDER BY id")
        .execute(Tuple.of(accountId))
        .map(
            rows -> {
              List<Administrator> all = new ArrayList<>(rows.size());
              rows.forEach(row -> all.add(administrator(row)));
              return all;
            });
  }

  /** One of the account's administrators; 404 for any other. */
  public Future<Administrator> find(long accountId, long id) {
    return pool.preparedQuery(
            "SELECT "
                + ADMINISTRATOR_COLUMNS
                + " FROM administrators WHERE account_id = $1 AND id = $2")
        .execute(Tuple.of(accountId, id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw OutpostException.notFound("administrator " + id + " not found");
              }
              return administrator(rows.iterator().next());
            });
  }

  /**
   * Changes an administrator; 409 when the change would leave the account without an enabled
   * administrator holding the admin role.
   */
  public Future<Administrator> update(long accountId, long id, Changes changes) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    """
                    UPDATE administrators
                       SET name = COALESCE($3, name),
                           roles = COALESCE($4, roles),
                           password_hash = COALESCE($5, password_hash),
                           disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at
                                              WHEN $6 THEN COALESCE(disabled_at, $7)
                                              ELSE NULL END
                     WHERE account_id = $1 AND id = $2
                    """
                        + " RETURNING "
                        + ADMINISTRATOR_COLUMNS)
                .execute(
                    Tuple.of(
                            accountId,
                            id,
                            changes.name().orElse(null),
                            changes.roles().map(Role::names).orElse(null),
                            changes.passwordHash().orElse(null),
                            changes.disabled().orElse(null))
                        .addValue(now()))
                .compose(
                    rows -> {
                      if (rows.size() == 0) {
                        throw OutpostException.notFound("administrator " + id + " not found");
                      }
                      Administrator changed = administrator(rows.iterator().next());
                      return conn.preparedQuery(
                              """
                              SELECT count(*) FROM administrators
                               WHERE account_id = $1 AND disabled_at IS NULL
                                 AND 'admin' = ANY(roles)
                              """)
                          .execute(Tuple.of(accountId))
                          .map(
                              left -> {
                                if (left.iterator().next().getLong(0) == 0) {
                                  throw OutpostException.conflict(
                                      "the account would have no enabled administrator with the"
                                          + " admin role");
                                }
                                return changed;
                              });
                    }));
  }

  /**
   * Makes an API token for an administrator of the account, with a subset of its roles (empty: all
   * of them) and an expiry; 400 when a role is one the administrator does not hold, 409 when the
   * name is taken or the administrator holds {@link #MAX_TOKENS}.
   */
  public Future<Created> createToken(
      long accountId,
      long administratorId,
      String name,
      Optional<Set<Role>> roles,
      Optional<Instant> expiresAt,
      String creator,
      String source) {
    String secret = "outpost_" + accountId + "_" + Secrets.generate();
    OffsetDateTime now = now();
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        """
                SELECT d.roles, d.email,
                       (SELECT count(*) FROM admin_tokens t
                         WHERE t.administrator_id = d.id AND t.kind = 'api'
                           AND t.revoked_at IS NULL) AS live
                  FROM administrators d WHERE d.account_id = $1 AND d.id = $2 FOR UPDATE
                """)
                    .execute(Tuple.of(accountId, administratorId))
                    .compose(
                        rows -> {
                          if (rows.size() == 0) {
                            throw OutpostException.notFound(
                                "administrator " + administratorId + " not found");
                          }
                          Row row = rows.iterator().next();
                          Set<Role> held = Role.of(row.getArrayOfStrings("roles"));
                          roles.ifPresent(
                              wanted -> {
                                Set<Role> beyond = EnumSet.noneOf(Role.class);
                                beyond.addAll(wanted);
                                beyond.removeAll(Role.coveredOf(held, wanted));
                                if (!beyond.isEmpty()) {
                                  throw OutpostException.badRequest(
                                      "a token's roles are covered by its administrator's, and "
                                          + row.getString("email")
                                          + " does not hold "
                                          + String.join(", ", Role.names(beyond)));
                                }
                              });
                          if (row.getLong("live") >= MAX_TOKENS) {
                            throw OutpostException.conflict(
                                "the administrator holds "
                                    + MAX_TOKENS
                                    + " tokens, the most one may; revoke one first");
                          }
                          return conn.preparedQuery(
                                  """
                          INSERT INTO admin_tokens (account_id, administrator_id, name, token_hash,
                                                    roles, expires_at, created_at, creator, source)
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                          RETURNING id
                          """)
                              .execute(
                                  Tuple.of(
                                          accountId,
                                          administratorId,
                                          name,
                                          Buffer.buffer(Secrets.hash(secret)),
                                          roles.map(Role::names).orElse(null),
                                          expiresAt.map(AdministratorStore::utc).orElse(null),
                                          now)
                                      .addValue(creator)
                                      .addValue(source))
                              .map(
                                  inserted ->
                                      new Created(
                                          new Token(
                                              inserted.iterator().next().getLong(0),
                                              administratorId,
                                              row.getString("email"),
                                              name,
                                              roles.map(Set::copyOf),
                                              now.toInstant(),
                                              expiresAt,
                                              Optional.of(creator)),
                                          secret));
                        }))
        .recover(
            failure ->
                Future.failedFuture(
                    unique(failure)
                        ? OutpostException.conflict(
                            "the administrator already has a token named '" + name + "'")
                        : failure));
  }

  /**
   * The account's live API tokens (revoked ones and sessions aside), by id, or only an
   * administrator's.
   */
  public Future<List<Token>> tokens(long accountId, Optional<Long> administratorId) {
    return pool.preparedQuery(
            """
            SELECT t.id, t.administrator_id, d.email, t.name, t.roles, t.created_at,
                   t.expires_at, t.creator
              FROM admin_tokens t JOIN administrators d ON d.id = t.administrator_id
             WHERE t.account_id = $1 AND t.kind = 'api' AND t.revoked_at IS NULL
               AND ($2::bigint IS NULL OR t.administrator_id = $2)
             ORDER BY t.id
            """)
        .execute(Tuple.of(accountId, administratorId.orElse(null)))
        .map(
            rows -> {
              List<Token> all = new ArrayList<>(rows.size());
              rows.forEach(
                  row ->
                      all.add(
                          new Token(
                              row.getLong("id"),
                              row.getLong("administrator_id"),
                              row.getString("email"),
                              row.getString("name"),
                              Optional.ofNullable(row.getArrayOfStrings("roles")).map(Role::of),
                              row.getOffsetDateTime("created_at").toInstant(),
                              Optional.ofNullable(row.getOffsetDateTime("expires_at"))
                                  .map(OffsetDateTime::toInstant),
                              Optional.ofNullable(row.getString("creator")))));
              return all;
            });
  }

  /**
   * Revokes an API token of the account (only an administrator's own, when {@code ownerOnly} names
   * one) and every session opened with it; 404 when there is no such live token. The table's
   * trigger tells every server's cache.
   *
   * @return the revoked token's name
   */
  public Future<String> revokeToken(long accountId, long tokenId, Optional<Long> ownerOnly) {
    return pool.preparedQuery(
            """
            UPDATE admin_tokens SET revoked_at = $4
             WHERE revoked_at IS NULL
               AND (id = $2 OR parent_id = $2)
               AND EXISTS (SELECT 1 FROM admin_tokens p
                            WHERE p.id = $2 AND p.account_id = $1 AND p.kind = 'api'
                              AND p.revoked_at IS NULL
                              AND ($3::bigint IS NULL OR p.administrator_id = $3))
            RETURNING id, name
            """)
        .execute(Tuple.of(accountId, tokenId, ownerOnly.orElse(null), now()))
        .map(
            rows -> {
              for (Row row : rows) {
                if (row.getLong("id") == tokenId) {
                  return row.getString("name");
                }
              }
              throw OutpostException.notFound("token " + tokenId + " not found");
            });
  }

  /** The administrator an email names, in the named account or the only one that has it. */
  public Future<Optional<Candidate>> candidate(Optional<String> account, String email) {
    return pool.preparedQuery(
            """
            SELECT d.id, d.account_id, d.email, d.password_hash
              FROM administrators d JOIN accounts a ON a.id = d.account_id
             WHERE lower(d.email) = lower($1) AND d.disabled_at IS NULL
               AND ($2::text IS NULL OR a.name = $2)
             LIMIT 2
            """)
        .execute(Tuple.of(email, account.orElse(null)))
        .map(
            rows -> {
              if (rows.size() > 1) {
                throw OutpostException.badRequest(
                    "administrators of several accounts have this email: name the 'account'");
              }
              if (rows.size() == 0) {
                return Optional.empty();
              }
              Row row = rows.iterator().next();
              return Optional.of(
                  new Candidate(
                      row.getLong("id"),
                      row.getLong("account_id"),
                      row.getString("email"),
                      Optional.ofNullable(row.getString("password_hash"))));
            });
  }

  /** The id of the account of this name, if any. */
  public Future<Optional<Long>> accountNamed(String name) {
    return pool.preparedQuery("SELECT id FROM accounts WHERE name = $1")
        .execute(Tuple.of(name))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<Long>empty()
                    : Optional.of(rows.iterator().next().getLong(0)));
  }

  /**
   * Opens a session of an administrator that ends after {@code lifetime} (or when {@code parent},
   * the token it was opened with, expires or is revoked), with the roles given (empty: all of the
   * administrator's). The administrator's ended sessions go, and past {@link #MAX_SESSIONS} live
   * ones the oldest ends.
   *
   * @return the session's secret, for the cookie
   */
  public Future<String> openSession(
      long accountId,
      long administratorId,
      Optional<Set<Role>> roles,
      Duration lifetime,
      Optional<Admin> parent,
      String source) {
    String secret = Secrets.generate();
    OffsetDateTime now = now();
    OffsetDateTime expires = now.plus(lifetime);
    if (parent.isPresent() && parent.get().expiresAt().isPresent()) {
      OffsetDateTime parentExpires = utc(parent.get().expiresAt().get());
      expires = parentExpires.isBefore(expires) ? parentExpires : expires;
    }
    OffsetDateTime until = expires;
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    """
                    DELETE FROM admin_tokens
                     WHERE administrator_id = $1 AND kind = 'session'
                       AND (revoked_at IS NOT NULL OR expires_at <= $2)
                    """)
                .execute(Tuple.of(administratorId, now))
                .compose(
                    gone ->
                        conn.preparedQuery(
                                """
                        INSERT INTO admin_tokens (account_id, administrator_id, name, token_hash,
                                                  roles, kind, expires_at, created_at, parent_id,
                                                  source)
                        VALUES ($1, $2, $3, $4, $5, 'session', $6, $7, $8, $9)
                        """)
                            .execute(
                                Tuple.of(
                                        accountId,
                                        administratorId,
                                        parent
                                            .map(p -> "session of " + p.tokenName())
                                            .orElse("session"),
                                        Buffer.buffer(Secrets.hash(secret)),
                                        roles.map(Role::names).orElse(null),
                                        until,
                                        now)
                                    .addValue(parent.map(Admin::tokenId).orElse(null))
                                    .addValue(source)))
                .compose(
                    inserted ->
                        conn.preparedQuery(
                                """
                        UPDATE admin_tokens SET revoked_at = $3
                         WHERE id IN (SELECT id FROM admin_tokens
                                       WHERE administrator_id = $1 AND kind = 'session'
                                         AND revoked_at IS NULL
                                       ORDER BY id DESC OFFSET $2)
                        """)
                            .execute(Tuple.of(administratorId, MAX_SESSIONS, now)))
                .map(secret));
  }

  /** Ends a session. */
  public Future<Void> closeSession(long tokenId) {
    return pool.preparedQuery(
            "UPDATE admin_tokens SET revoked_at = $2 WHERE id = $1 AND kind = 'session'"
                + " AND revoked_at IS NULL")
        .execute(Tuple.of(tokenId, now()))
        .mapEmpty();
  }

  private static Administrator administrator(Row row) {
    return new Administrator(
        row.getLong("id"),
        row.getLong("account_id"),
        row.getString("email"),
        row.getString("name"),
        Role.of(row.getArrayOfStrings("roles")),
        row.getBoolean("has_password"),
        row.getOffsetDateTime("created_at").toInstant(),
        Optional.ofNullable(row.getOffsetDateTime("disabled_at")).map(OffsetDateTime::toInstant));
  }

  private static boolean unique(Throwable failure) {
    return failure instanceof PgException e && "23505".equals(e.getSqlState());
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }
}
