package dev.outpost.bench.benchmarks;

import dev.outpost.bench.support.BenchDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates activities in SQL (generate_series, never HTTP): rows in blocks of 100, every other
 * block a group of 99 children of one type, the others single activities; statuses mostly succeeded
 * (85 %), then failed (8 %), canceled (4 %), in progress (2 %), queued (1 %); a few dozen types,
 * ExecuteScriptRequest the commonest (about 40 %); on 10,000 computers, one every three seconds.
 * The activities table's secondary indexes are dropped while loading and built again afterwards,
 * then the table is vacuumed and analyzed, as a long-lived table would be.
 */
final class ListingData {

  private static final int COMPUTERS = 10_000;
  private static final long CHUNK = 1_000_000;

  private ListingData() {}

  /**
   * Creates the account the server's bootstrap would (it keeps the account and sets its key and
   * token when it starts) and returns its id.
   */
  static long account(BenchDatabase db) throws SQLException {
    return db.queryLong(
        """
        INSERT INTO accounts (name, registration_key_hash, created_at)
        VALUES ('standalone', '\\x00', now()) RETURNING id
        """);
  }

  /** Generates {@code rows} activities of the account. */
  static void generate(BenchDatabase db, long account, long rows) throws SQLException {
    try (Connection conn = db.connect();
        Statement st = conn.createStatement()) {
      st.execute("SET maintenance_work_mem = '1GB'");
      st.execute("SET max_parallel_maintenance_workers = 2");
      st.execute(
          "INSERT INTO computers (account_id, title, registered_at) SELECT "
              + account
              + ", 'generated-' || i, now() FROM generate_series(1, "
              + COMPUTERS
              + ") AS i");
      long firstComputer = one(st, "SELECT min(id) FROM computers WHERE title LIKE 'generated-%'");
      List<String> indexes = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              """
          SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = 'activities' AND i.schemaname = 'public'
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
          """)) {
        while (rs.next()) {
          indexes.add(rs.getString(2));
        }
      }
      for (String definition : indexes) {
        st.execute(
            "DROP INDEX " + definition.replaceFirst("^CREATE (UNIQUE )?INDEX (\\S+) .*$", "$2"));
      }
      // foreign keys are triggers: this session's rows skip them (every reference is valid)
      st.execute("SET session_replication_role = replica");
      long base = one(st, "SELECT COALESCE(max(id), 0) FROM activities");
      for (long from = 1; from <= rows; from += CHUNK) {
        long to = Math.min(rows, from + CHUNK - 1);
        st.execute(insert(account, base, firstComputer, from, to));
        System.out.printf("  generated %,d of %,d activities%n", to, rows);
      }
      st.execute("SET session_replication_role = DEFAULT");
      st.execute("SELECT setval('activities_id_seq', " + (base + rows) + ")");
      for (String definition : indexes) {
        st.execute(definition);
      }
      System.out.printf("  built %d indexes%n", indexes.size());
      st.execute("VACUUM (ANALYZE) activities");
    }
  }

  private static String insert(long account, long base, long firstComputer, long from, long to) {
    // b: block of 100; p: position in it; a group block's first row is the group
    return """
        INSERT INTO activities (id, account_id, parent_id, computer_id, kind, type, status,
                                summary, parameters, creator, created_at, delivered_at,
                                completed_at, result_code, result_text)
        SELECT %1$d + i, %2$d,
               CASE WHEN grouped AND p > 0 THEN %1$d + b * 100 + 1 END,
               CASE WHEN grouped AND p = 0 THEN NULL
                    ELSE %3$d + (i * 7) %% %4$d END,
               'client',
               CASE WHEN grouped AND p = 0 THEN 'ActivityGroup' ELSE t END,
               CASE WHEN grouped AND p = 0 THEN NULL ELSE s END,
               t, '{"code": "uname -a"}', 'admin',
               timestamptz '2024-01-01' + i * interval '3 seconds',
               CASE WHEN s NOT IN ('queued') THEN timestamptz '2024-01-01' + i * interval '3 seconds' + interval '10 seconds' END,
               CASE WHEN s IN ('failed', 'canceled', 'succeeded') THEN timestamptz '2024-01-01' + i * interval '3 seconds' + interval '1 minute' END,
               CASE s WHEN 'failed' THEN 1 WHEN 'succeeded' THEN 0 END,
               CASE s WHEN 'failed' THEN 'exit 1' WHEN 'succeeded' THEN 'exit 0' END
          FROM (
            SELECT i, b, p, grouped,
                   (ARRAY['ExecuteScriptRequest', 'ExecuteScriptRequest', 'ExecuteScriptRequest',
                          'ExecuteScriptRequest', 'ExecuteScriptRequest', 'ExecuteScriptRequest',
                          'ExecuteScriptRequest', 'ExecuteScriptRequest',
                          'ChangePackagesRequest', 'ChangePackagesRequest',
                          'ChangePackagesRequest', 'ChangePackagesRequest',
                          'UpgradeKernelPackageRequest', 'RestartRequest', 'RestartRequest',
                          'CreateUserRequest', 'UsgActivity', 'ResynchronizeRequest',
                          'InstallSnaps', 'RemoveSnaps'])
                     [1 + (CASE WHEN grouped THEN b ELSE i END * 2654435761) %% 20] AS t,
                   CASE WHEN r < 850 THEN 'succeeded' WHEN r < 930 THEN 'failed'
                        WHEN r < 970 THEN 'canceled' WHEN r < 990 THEN 'in-progress'
                        ELSE 'queued' END AS s
              FROM (
                SELECT i, (i - 1) / 100 AS b, (i - 1) %% 100 AS p, ((i - 1) / 100) %% 2 = 0 AS grouped,
                       (i * 7919) %% 1000 AS r
                  FROM generate_series(%5$d::bigint, %6$d::bigint) AS i) numbered) typed
        """
        .formatted(base, account, firstComputer, COMPUTERS, from, to);
  }

  private static long one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
