package dev.outpost.agent.state;

import dev.outpost.common.wire.Bpickle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real agent's store: one small file per thing in the data dir, each written whole ({@link
 * AtomicFiles}), so that a {@code kill -9} at any instant leaves a state the agent can resume from.
 * The file I/O runs on worker threads, in order.
 *
 * <pre>
 * identity.json           secure-id and insecure-id (mode 0600)
 * exchange.json           sequence numbers, accepted types, intervals set by the server
 * outbox/NNN.msg          one bpickle message each, sent in id order from exchange.json's first-message
 * held/NNN.msg            messages of types the server does not accept yet
 * operations/ID.json      the journal: one entry per operation-id
 * agent.lock              held while an agent uses the directory
 * </pre>
 */
public final class FileStore implements AgentStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);

  private static final String IDENTITY = "identity.json";
  private static final String EXCHANGE = "exchange.json";
  private static final String OUTBOX = "outbox";
  private static final String HELD = "held";
  private static final String OPERATIONS = "operations";
  private static final String LOCK = "agent.lock";
  private static final String MESSAGE_SUFFIX = ".msg";
  private static final String JSON_SUFFIX = ".json";

  private final Vertx vertx;
  private final Path dir;
  private FileChannel lockChannel;

  private FileStore(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  /** A store in the given directory; nothing is read or locked before {@link #load()}. */
  public static FileStore in(Vertx vertx, Path dir) {
    return new FileStore(vertx, dir.toAbsolutePath());
  }

  /** The data dir. */
  public Path dir() {
    return dir;
  }

  @Override
  public Future<StoredState> load() {
    return blocking(this::loadNow);
  }

  @Override
  public Future<Void> saveIdentity(Optional<Identity> identity) {
    return run(
        () -> {
          Path file = dir.resolve(IDENTITY);
          if (identity.isPresent()) {
            AtomicFiles.write(file, json(StateJson.identity(identity.get())), true);
          } else {
            AtomicFiles.delete(file);
          }
        });
  }

  @Override
  public Future<Void> saveExchange(ExchangeState state) {
    return run(
        () -> AtomicFiles.write(dir.resolve(EXCHANGE), json(StateJson.exchange(state)), false));
  }

  @Override
  public Future<Void> addMessage(long id, Map<String, Object> message, boolean held) {
    byte[] content = Bpickle.encode(message);
    return run(() -> AtomicFiles.write(messageFile(held ? HELD : OUTBOX, id), content, false));
  }

  @Override
  public Future<Void> releaseHeld(long heldId, long newId) {
    return run(() -> AtomicFiles.move(messageFile(HELD, heldId), messageFile(OUTBOX, newId)));
  }

  @Override
  public Future<Void> deleteMessages(List<Long> ids) {
    // exchange.json's first-message already marks them acknowledged: a deletion lost in a crash
    // is redone at the next start, so no directory flush here
    return run(
        () -> {
          for (long id : ids) {
            Files.deleteIfExists(messageFile(OUTBOX, id));
          }
        });
  }

  @Override
  public Future<Void> saveOperation(JournalEntry entry) {
    return run(
        () ->
            AtomicFiles.write(
                operationFile(entry.operationId()), json(StateJson.operation(entry)), false));
  }

  @Override
  public Future<Void> deleteOperations(List<Long> operationIds) {
    // a deletion lost in a crash leaves an old entry, pruned again later
    return run(
        () -> {
          for (long id : operationIds) {
            Files.deleteIfExists(operationFile(id));
          }
        });
  }

  @Override
  public Future<Void> close() {
    return run(
        () -> {
          if (lockChannel != null) {
            lockChannel.close();
            lockChannel = null;
          }
        });
  }

  private StoredState loadNow() throws IOException {
    for (String sub : List.of(OUTBOX, HELD, OPERATIONS)) {
      Files.createDirectories(
          dir.resolve(sub),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    lock();
    for (Path d : List.of(dir, dir.resolve(OUTBOX), dir.resolve(HELD), dir.resolve(OPERATIONS))) {
      AtomicFiles.removeLeftovers(d);
    }
    Optional<Identity> identity = readJson(dir.resolve(IDENTITY)).map(StateJson::identity);
    ExchangeState exchange =
        readJson(dir.resolve(EXCHANGE)).map(StateJson::exchange).orElse(ExchangeState.initial());
    List<StoredMessage> pending = new ArrayList<>();
    for (StoredMessage message : readMessages(OUTBOX)) {
      if (message.id() < exchange.firstMessage()) {
        Files.deleteIfExists(messageFile(OUTBOX, message.id()));
      } else {
        pending.add(message);
      }
    }
    List<JournalEntry> journal = new ArrayList<>();
    for (Path file : list(OPERATIONS, JSON_SUFFIX)) {
      journal.add(StateJson.operation(readJson(file).orElseThrow()));
    }
    journal.sort((a, b) -> a.startedAt().compareTo(b.startedAt()));
    LOG.info(
        "state loaded [dir: {}, registered: {}, pending: {}, operations: {}]",
        dir,
        identity.isPresent(),
        pending.size(),
        journal.size());
    return new StoredState(identity, exchange, pending, readMessages(HELD), journal);
  }

  private void lock() throws IOException {
    FileChannel channel =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("another agent is using the data dir " + dir);
    }
    lockChannel = channel;
  }

  private List<StoredMessage> readMessages(String sub) throws IOException {
    List<StoredMessage> messages = new ArrayList<>();
    for (Path file : list(sub, MESSAGE_SUFFIX)) {
      String name = file.getFileName().toString();
      long id = Long.parseLong(name.substring(0, name.length() - MESSAGE_SUFFIX.length()));
      Object decoded = Bpickle.decode(Files.readAllBytes(file));
      if (!(decoded instanceof Map<?, ?> map)) {
        throw new IOException(file + " does not hold a message");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> message = (Map<String, Object>) map;
      messages.add(new StoredMessage(id, message));
    }
    messages.sort((a, b) -> Long.compare(a.id(), b.id()));
    return messages;
  }

  private List<Path> list(String sub, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(sub))) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
    }
  }

  private Path messageFile(String sub, long id) {
    return dir.resolve(sub).resolve(String.format("%020d%s", id, MESSAGE_SUFFIX));
  }

  private Path operationFile(long operationId) {
    return dir.resolve(OPERATIONS).resolve(operationId + JSON_SUFFIX);
  }

  private static Optional<JsonObject> readJson(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
  }

  private static byte[] json(JsonObject object) {
    return object.encodePrettily().getBytes(StandardCharsets.UTF_8);
  }

  /** An I/O step of a write. */
  private interface IoAction {
    void run() throws IOException;
  }

  private Future<Void> run(IoAction action) {
    return blocking(
        () -> {
          action.run();
          return null;
        });
  }

  /** Runs on a worker thread, after every earlier call from the same context. */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, true);
  }
}
