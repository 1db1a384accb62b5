package dev.outpost.server.exchange;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Script attachments ({@code attachments}): stored for one computer when its activity is delivered
 * (a saved script's pointed at rather than copied), fetched by id by that computer's agent alone.
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

  /**
   * Points a delivered run of a saved script at the script's attachments, for its computer, without
   * copying them; returns their ids by name.
   */
  static Future<Map<String, Object>> attachScript(
      SqlClient conn, long computerId, long activityId, long scriptId) {
    return conn.preparedQuery(
            """
            INSERT INTO attachments (computer_id, activity_id, name, script_attachment_id)
            SELECT $1, $2, name, id FROM script_attachments WHERE script_id = $3 ORDER BY name
            RETURNING id, name
            """)
        .execute(Tuple.of(computerId, activityId, scriptId))
        .map(
            rows -> {
              Map<String, Object> ids = new LinkedHashMap<>();
              rows.forEach(row -> ids.put(row.getString(1), row.getLong(0)));
              return ids;
            });
  }

  /** An attachment's content, when it is the computer's with this secure-id hash. */
  static Future<Optional<Buffer>> read(SqlClient conn, long id, byte[] secureIdHash) {
    return conn.preparedQuery(
            """
            SELECT COALESCE(a.content, s.content)
              FROM attachments a JOIN computers c ON c.id = a.computer_id
              LEFT JOIN script_attachments s ON s.id = a.script_attachment_id
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
