package dev.outpost.server.exchange;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * Script attachments ({@code attachments}): stored for one computer when its activity is delivered,
 * fetched by id by that computer's agent alone.
 */
final class AttachmentStore {

  private AttachmentStore() {}

  /** Stores one attachment of a delivered activity for its computer; returns its id. */
  static Future<Long> attach(
      SqlClient conn, long computerId, long activityId, String name, byte[] content) {
    return conn.preparedQuery(
            """
            INSERT INTO attachments (computer_id, activity_id, name, content)
            VALUES ($1, $2, $3, $4) RETURNING id
            """)
        .execute(Tuple.of(computerId, activityId, name, Buffer.buffer(content)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** An attachment's content, when it is the computer's with this secure-id hash. */
  static Future<Optional<Buffer>> read(SqlClient conn, long id, byte[] secureIdHash) {
    return conn.preparedQuery(
            """
            SELECT a.content FROM attachments a JOIN computers c ON c.id = a.computer_id
             WHERE a.id = $1 AND c.secure_id_hash = $2 AND c.removed_at IS NULL
            """)
        .execute(Tuple.of(id, Buffer.buffer(secureIdHash)))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<Buffer>empty()
                    : Optional.of(rows.iterator().next().getBuffer(0)));
  }
}
