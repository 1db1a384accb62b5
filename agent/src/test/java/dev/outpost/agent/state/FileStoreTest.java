package dev.outpost.agent.state;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.wire.Bytes;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The real agent's store on disk. */
@ExtendWith(VertxExtension.class)
class FileStoreTest {

  @TempDir Path dir;

  /** Verifies that a store over the same directory loads exactly what the last one kept. */
  @Test
  void reloadsWhatItKept(Vertx vertx) {
    FileStore store = FileStore.in(vertx, dir);
    await(store.load());
    ExchangeState exchange =
        new ExchangeState(
            7,
            3,
            12,
            "3.3",
            List.of("operation-result", "register"),
            Optional.of(Bytes.of(new byte[] {1, 2, (byte) 0xff})),
            Map.of("ping", 60L));
    JournalEntry running =
        JournalEntry.running(41, "execute-script", Instant.parse("2030-01-01T00:00:00Z"))
            .withProcess(
                new JournalEntry.ChildProcess(4242, Instant.parse("2030-01-01T00:00:01Z")));
    JournalEntry done =
        JournalEntry.running(40, "resynchronize", Instant.parse("2029-12-31T00:00:00Z"))
            .done(Map.of("type", "resynchronize", "operation-id", 40L));
    await(store.saveIdentity(Optional.of(new Identity("secret-id", 9))));
    await(store.saveExchange(exchange));
    await(store.addMessage(3, message("operation-result", 41L), false));
    await(store.addMessage(4, message("usg-audit", null), true));
    await(store.saveOperation(running));
    await(store.saveOperation(done));
    await(store.close());

    StoredState loaded = await(FileStore.in(vertx, dir).load());

    assertThat(loaded.identity()).contains(new Identity("secret-id", 9));
    assertThat(loaded.exchange()).isEqualTo(exchange);
    assertThat(loaded.pending())
        .containsExactly(new StoredMessage(3, message("operation-result", 41L)));
    assertThat(loaded.held()).containsExactly(new StoredMessage(4, message("usg-audit", null)));
    assertThat(loaded.journal()).containsExactly(done, running);
  }

  /**
   * Verifies that writes go through a renamed temporary file: none is left after a write, and those
   * an interrupted write left are ignored and removed at the next start.
   */
  @Test
  void ignoresWhatAnInterruptedWriteLeft(Vertx vertx) throws Exception {
    FileStore store = FileStore.in(vertx, dir);
    await(store.load());
    ExchangeState kept = new ExchangeState(2, 0, 5, "3.3", List.of(), Optional.empty(), Map.of());
    await(store.saveExchange(kept));
    await(store.addMessage(0, message("operation-result", 1L), false));
    await(store.close());
    assertThat(temporaryFiles()).isEmpty();

    // a crash in the middle of the next writes: the new content never got renamed into place
    Files.writeString(dir.resolve("exchange.json.tmp"), "{\"sequence\": 99, \"fir");
    Files.write(dir.resolve("outbox").resolve("00000000000000000001.msg.tmp"), new byte[] {'d'});

    StoredState loaded = await(FileStore.in(vertx, dir).load());

    assertThat(loaded.exchange()).isEqualTo(kept);
    assertThat(loaded.pending()).extracting(StoredMessage::id).containsExactly(0L);
    assertThat(temporaryFiles()).isEmpty();
  }

  /** Verifies that messages below the kept first-message were acknowledged and are dropped. */
  @Test
  void dropsAcknowledgedMessagesAtLoad(Vertx vertx) {
    FileStore store = FileStore.in(vertx, dir);
    await(store.load());
    for (long id = 0; id < 3; id++) {
      await(store.addMessage(id, message("operation-result", id), false));
    }
    // acknowledged up to id 2, then the process died before deleting the files
    await(
        store.saveExchange(
            new ExchangeState(2, 2, 0, "3.3", List.of(), Optional.empty(), Map.of())));
    await(store.close());

    StoredState loaded = await(FileStore.in(vertx, dir).load());

    assertThat(loaded.pending()).extracting(StoredMessage::id).containsExactly(2L);
    assertThat(dir.resolve("outbox").toFile().list()).hasSize(1);
  }

  /** Verifies that the identity is readable by its owner only and that forgetting it deletes it. */
  @Test
  void keepsTheIdentitySecret(Vertx vertx) throws Exception {
    FileStore store = FileStore.in(vertx, dir);
    await(store.load());

    await(store.saveIdentity(Optional.of(new Identity("secret-id", 1))));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("identity.json"))))
        .isEqualTo("rw-------");

    await(store.saveIdentity(Optional.empty()));
    assertThat(dir.resolve("identity.json")).doesNotExist();
  }

  /** Verifies that two agents cannot use one data dir at once. */
  @Test
  void refusesASecondAgentOnTheSameDirectory(Vertx vertx) {
    FileStore first = FileStore.in(vertx, dir);
    await(first.load());

    assertThatThrownBy(() -> await(FileStore.in(vertx, dir).load()))
        .hasMessageContaining("another agent");

    await(first.close());
    assertThat(await(FileStore.in(vertx, dir).load()).identity()).isEmpty();
  }

  private List<Path> temporaryFiles() throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.toString().endsWith(".tmp")).toList();
    }
  }

  private static Map<String, Object> message(String type, Object operationId) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    message.put("api", Bytes.of("3.3"));
    message.put("operation-id", operationId);
    message.put("result-text", "é\n");
    return message;
  }
}
