package dev.outpost.server.account;

import dev.outpost.common.error.OutpostException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Accounts and their admin tokens. */
public final class AccountStore {

  private final Pool pool;
  private final Clock clock;
  private final TokenCache tokens;

  /** Creates a store over the shared pool that looks every token up. */
  public AccountStore(Pool pool, Clock clock) {
    this(pool, clock, TokenCache.disabled());
  }

  /** Creates a store over the shared pool that remembers tokens in {@code tokens}. */
  public AccountStore(Pool pool, Clock clock, TokenCache tokens) {
    this.pool = pool;
    this.clock = clock;
    this.tokens = tokens;
  }

  /** The email of an account's first administrator, made with the account. */
  public static final String BOOTSTRAP_EMAIL = "admin@localhost";

  /**
   * Makes sure the account exists with this registration key and that an admin token of this name
   * opens it: the token of the account's first administrator (made with every role, {@value
   * #BOOTSTRAP_EMAIL}, when the account has none). Idempotent: a restart with the same values
   * changes nothing.
   *
   * @return the account id
   */
  public Future<Long> ensureAccount(
      String name, String registrationKey, String tokenName, String adminToken) {
    OffsetDateTime now = now();
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        """
            INSERT INTO accounts (name, registration_key_hash, created_at)
            VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET registration_key_hash = EXCLUDED.registration_key_hash
            RETURNING id
            """)
                    .execute(Tuple.of(name, Buffer.buffer(Secrets.hash(registrationKey)), now))
                    .map(rows -> rows.iterator().next().getLong("id"))
                    .compose(
                        accountId ->
                            firstAdministrator(conn, accountId, tokenName, now)
                                .compose(
                                    administratorId ->
                                        conn.preparedQuery(
                                                """
                INSERT INTO admin_tokens (account_id, administrator_id, name, token_hash,
                                          created_at, creator)
                VALUES ($1, $2, $3, $4, $5, 'the server''s configuration')
                ON CONFLICT (administrator_id, name) WHERE kind = 'api' AND revoked_at IS NULL
                DO UPDATE SET token_hash = EXCLUDED.token_hash
                """)
                                            .execute(
                                                Tuple.of(
                                                    accountId,
                                                    administratorId,
                                                    tokenName,
                                                    Buffer.buffer(Secrets.hash(adminToken)),
                                                    now)))
                                .map(accountId)))
        // the trigger tells every instance too; this one need not wait for the notice
        .onSuccess(accountId -> tokens.invalidate());
  }

  /**
   * The administrator whose token of this name the bootstrap token is: its owner when it exists,
   * else the account's first administrator, else one made now with every role.
   */
  private static Future<Long> firstAdministrator(
      SqlClient conn, long accountId, String tokenName, OffsetDateTime now) {
    return conn.preparedQuery(
            """
            SELECT administrator_id FROM admin_tokens
             WHERE account_id = $1 AND name = $2 AND kind = 'api' AND revoked_at IS NULL
            UNION ALL
            (SELECT id FROM administrators WHERE account_id = $1 ORDER BY id LIMIT 1)
            LIMIT 1
            """)
        .execute(Tuple.of(accountId, tokenName))
        .compose(
            rows ->
                rows.size() > 0
                    ? Future.succeededFuture(rows.iterator().next().getLong(0))
                    : conn.preparedQuery(
                            """
                    INSERT INTO administrators (account_id, email, name, roles, created_at)
                    VALUES ($1, $2, 'admin', ARRAY['admin'], $3)
                    RETURNING id
                    """)
                        .execute(Tuple.of(accountId, BOOTSTRAP_EMAIL, now))
                        .map(inserted -> inserted.iterator().next().getLong(0)));
  }

  /**
   * Finds who a bearer token (or, with {@code session}, a session cookie) belongs to, from the
   * token cache when it knows; fails with 401 when it opens nothing: unknown, revoked, expired, of
   * the other kind, or its administrator disabled.
   */
  public Future<Admin> authenticate(String token, boolean session) {
    byte[] hash = Secrets.hash(token);
    Optional<Admin> cached = tokens.get(hash);
    if (cached.isPresent()) {
      if (cached.get().session() != session) {
        return Future.failedFuture(refusal(session));
      }
      return Future.succeededFuture(cached.get());
    }
    long generation = tokens.generation();
    return pool.preparedQuery(
            """
            SELECT t.id, t.account_id, t.name, t.roles, t.kind, t.expires_at,
                   d.id AS administrator_id, d.email, d.roles AS administrator_roles
              FROM admin_tokens t JOIN administrators d ON d.id = t.administrator_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > $2) AND d.disabled_at IS NULL
            """)
        .execute(Tuple.of(Buffer.buffer(hash), now()))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw refusal(session);
              }
              Admin admin = admin(rows.iterator().next());
              tokens.put(hash, admin, generation);
              if (admin.session() != session) {
                throw refusal(session);
              }
              return admin;
            });
  }

  /** Finds who a bearer token belongs to; see {@link #authenticate(String, boolean)}. */
  public Future<Admin> authenticate(String token) {
    return authenticate(token, false);
  }

  private static OutpostException refusal(boolean session) {
    return OutpostException.unauthorized(
        session
            ? "the session has ended; sign in again"
            : "the bearer token is not valid (unknown, revoked or expired)");
  }

  /** The caller a row of tokens joined with their administrators makes. */
  static Admin admin(Row row) {
    // a token's roles count as far as its administrator's still cover them
    Set<Role> held = Role.of(row.getArrayOfStrings("administrator_roles"));
    String[] own = row.getArrayOfStrings("roles");
    Set<Role> roles = own == null ? held : Role.coveredOf(held, Role.of(own));
    return new Admin(
        row.getLong("account_id"),
        row.getLong("administrator_id"),
        row.getString("email"),
        row.getLong("id"),
        row.getString("name"),
        roles,
        Optional.ofNullable(row.getOffsetDateTime("expires_at")).map(OffsetDateTime::toInstant),
        "session".equals(row.getString("kind")));
  }

  /** The account a registration names, when its key matches, inside the caller's transaction. */
  public static Future<Optional<Long>> registering(SqlClient conn, String name, byte[] keyHash) {
    return conn.preparedQuery(
            "SELECT id FROM accounts WHERE name = $1 AND registration_key_hash = $2")
        .execute(Tuple.of(name, Buffer.buffer(keyHash)))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<Long>empty()
                    : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** The account's policies. */
  public Future<AccountSettings> settings(long accountId) {
    return pool.preparedQuery(
            """
            SELECT approval_types, fail_stale_results, retention_days, four_eyes,
                   exchange_interval, urgent_exchange_interval, ping_interval
              FROM accounts WHERE id = $1
            """)
        .execute(Tuple.of(accountId))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new AccountSettings(
                  java.util.Arrays.asList(row.getArrayOfStrings(0)),
                  row.getBoolean(1),
                  Optional.ofNullable(row.getInteger(2)),
                  row.getBoolean(3),
                  new ClientIntervals(
                      Optional.ofNullable(row.getInteger(4)),
                      Optional.ofNullable(row.getInteger(5)),
                      Optional.ofNullable(row.getInteger(6))));
            });
  }

  /**
   * Replaces the account's policies. A change of the client intervals that leaves any set is
   * counted in {@code intervals_version}, so each computer is sent it at its next exchange.
   */
  public Future<AccountSettings> updateSettings(long accountId, AccountSettings settings) {
    ClientIntervals intervals = settings.intervals();
    return pool.preparedQuery(
            """
            UPDATE accounts SET approval_types = $2, fail_stale_results = $3,
                                retention_days = $4, four_eyes = $5,
                                intervals_version = intervals_version + CASE
                                  WHEN ($6::int, $7::int, $8::int)
                                       IS DISTINCT FROM
                                       (exchange_interval, urgent_exchange_interval, ping_interval)
                                   AND COALESCE($6, $7, $8) IS NOT NULL THEN 1 ELSE 0 END,
                                exchange_interval = $6, urgent_exchange_interval = $7,
                                ping_interval = $8
             WHERE id = $1
            """)
        .execute(
            Tuple.of(
                    accountId,
                    settings.approvalTypes().toArray(String[]::new),
                    settings.failStaleResults(),
                    settings.retentionDays().orElse(null),
                    settings.fourEyes())
                .addValue(intervals.exchange().orElse(null))
                .addValue(intervals.urgentExchange().orElse(null))
                .addValue(intervals.ping().orElse(null)))
        .map(settings);
  }

  /** Those of the accounts that hold activities of this type for approval. */
  public static Future<Set<Long>> holding(SqlClient conn, Set<Long> accountIds, String type) {
    return conn.preparedQuery(
            "SELECT id FROM accounts WHERE id = ANY($1) AND $2 = ANY(approval_types)")
        .execute(Tuple.tuple().addArrayOfLong(accountIds.toArray(Long[]::new)).addString(type))
        .map(
            rows -> {
              Set<Long> holding = new HashSet<>();
              rows.forEach(row -> holding.add(row.getLong(0)));
              return holding;
            });
  }

  /** An account whose retention is due today, with the days it keeps finished activities. */
  public record Retention(long accountId, int days) {}

  /**
   * Claims today's retention run of up to {@code limit} accounts that keep finished activities for
   * a number of days and have not had it today, in the caller's transaction: the day is written
   * with the claim, so of all the servers sweeping, one claims each account each day.
   */
  public static Future<List<Retention>> claimRetention(SqlClient conn, LocalDate today, int limit) {
    return conn.preparedQuery(
            """
            UPDATE accounts SET retention_ran_on = $1
             WHERE id IN (SELECT id FROM accounts
                           WHERE retention_days IS NOT NULL
                             AND (retention_ran_on IS NULL OR retention_ran_on < $1)
                           ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, retention_days
            """)
        .execute(Tuple.of(today, limit))
        .map(
            rows -> {
              List<Retention> due = new ArrayList<>(rows.size());
              rows.forEach(row -> due.add(new Retention(row.getLong(0), row.getInteger(1))));
              return due;
            });
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }
}
