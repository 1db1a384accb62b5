package dev.outpost.server.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.BrokerImpl;
import org.apache.qpid.server.model.ConfiguredObject;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.Protocol;
import org.apache.qpid.server.model.State;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.VirtualHost;
import org.apache.qpid.server.model.VirtualHostNode;
import org.apache.qpid.server.model.port.AmqpPortImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker (Apache Qpid Broker-J) run in-process, its queues and messages kept under a
 * home directory.
 */
public final class EmbeddedBroker implements AutoCloseable {

  /** The one user the broker accepts, as RabbitMQ's default user is named. */
  public static final String USERNAME = "guest";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final String HOST = "127.0.0.1";
  private static final String CONFIGURATION = "/embedded-broker.json";
  private static final String AMQP_PORT = "AMQP";

  private volatile SystemLauncher launcher;
  private volatile SystemConfig<?> systemConfig;
  private final int port;
  private final Path workDirectory;
  private final HomeLock lock;
  private final String password;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedBroker(Launch launch, Path workDirectory, HomeLock lock, String password) {
    this.launcher = launch.launcher();
    this.systemConfig = launch.systemConfig();
    this.port = launch.port();
    this.workDirectory = workDirectory;
    this.lock = lock;
    this.password = password;
  }

  /**
   * Starts the broker on a free port with its store under {@code home/broker}, accepting {@link
   * #USERNAME} with {@code password}; blocks until it accepts connections.
   */
  public static EmbeddedBroker start(Path home, String password) {
    return start(home, 0, password);
  }

  /**
   * Starts the broker on the given port ({@code 0}: any free one) of 127.0.0.1 with its store under
   * {@code home/broker}, accepting {@link #USERNAME} with {@code password}; blocks until it accepts
   * connections. The broker's configuration is rebuilt at every start, so a store made with another
   * password (before passwords were generated: "guest") takes this one.
   */
  public static EmbeddedBroker start(Path home, int port, String password) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range [port: " + port + "]");
    }
    Path root = home.toAbsolutePath().normalize();
    Path work = root.resolve("broker");
    HomeLock lock = HomeLock.acquire(root.resolve("broker.lock"), "embedded broker");
    try {
      privateDirectory(work);
      long started = System.nanoTime();
      Launch launch = launch(work, port, password);
      EmbeddedBroker broker = new EmbeddedBroker(launch, work, lock, password);
      LOG.info(
          "embedded broker started [port: {}, work: {}, millis: {}]",
          broker.port,
          work,
          (System.nanoTime() - started) / 1_000_000);
      return broker;
    } catch (RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  /**
   * The connection URI for vertx-rabbitmq-client, password and all, e.g. {@code
   * amqp://guest:PASSWORD@127.0.0.1:5673}.
   */
  public String amqpUrl() {
    return "amqp://"
        + USERNAME
        + ":"
        + URLEncoder.encode(password, StandardCharsets.UTF_8)
        + "@"
        + HOST
        + ":"
        + port;
  }

  /** The port the broker listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Where the broker keeps its store. */
  public Path workDirectory() {
    return workDirectory;
  }

  /**
   * Whether the broker runs: it, its virtual hosts and its AMQP port all active. Qpid stops a
   * virtual host whose store fails rather than the process, and a broker that stopped says so here.
   */
  public boolean running() {
    if (closed.get()) {
      return false;
    }
    try {
      requireReady(systemConfig);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Stops what is left of the broker and starts it again on the same store and the same port; its
   * clients reconnect as they do to RabbitMQ. Does nothing once closed, or while it runs.
   *
   * @throws IllegalStateException when it does not start (the caller tries again)
   */
  public synchronized void restart() {
    if (closed.get() || running()) {
      return;
    }
    try {
      launcher.shutdown();
    } catch (RuntimeException e) {
      LOG.debug("stopping what is left of the embedded broker [work: {}]", workDirectory, e);
    }
    Launch launch = launch(workDirectory, port, password);
    launcher = launch.launcher();
    systemConfig = launch.systemConfig();
    LOG.info("embedded broker started again [port: {}, work: {}]", port, workDirectory);
  }

  /** Stops the broker as a failure would, leaving it for {@link #restart}: for tests. */
  void failForTest() {
    launcher.shutdown();
  }

  /** Closes client connections, stops the broker and closes its store; idempotent. */
  @Override
  public synchronized void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      launcher.shutdown();
      LOG.info("embedded broker stopped [port: {}, work: {}]", port, workDirectory);
    } catch (RuntimeException e) {
      LOG.warn("embedded broker did not stop cleanly [work: {}]", workDirectory, e);
    } finally {
      lock.release();
    }
  }

  private static Launch launch(Path work, int port, String password) {
    requireProtocol();
    routeDerbyLog(work);
    Listener listener = new Listener();
    SystemLauncher launcher = new SystemLauncher(listener);
    try {
      launcher.startup(systemConfig(work, port, password));
    } catch (Exception e) {
      throw new IllegalStateException("embedded broker did not start [work: " + work + "]", e);
    }
    // the launcher reports a failed start to its listener and returns normally
    if (listener.failure != null) {
      throw new IllegalStateException(
          "embedded broker did not start [work: " + work + "]", listener.failure);
    }
    try {
      int bound = requireReady(listener.systemConfig);
      leaveShutdownToOwner(listener.systemConfig.getContainer(Broker.class));
      return new Launch(launcher, listener.systemConfig, bound);
    } catch (RuntimeException e) {
      launcher.shutdown();
      throw new IllegalStateException("embedded broker did not start [work: " + work + "]", e);
    }
  }

  /**
   * The broker's own configuration is kept in memory ("Memory") and rebuilt from the shipped file
   * on each start, so a changed file takes effect on the next run; what must survive a restart
   * lives in the Derby store the file points at. Every path is under {@code work}: by default Qpid
   * writes to {@code work/} in the current directory.
   */
  private static Map<String, Object> systemConfig(Path work, int port, String password) {
    return Map.of(
        SystemConfig.TYPE,
        "Memory",
        SystemConfig.INITIAL_CONFIGURATION_LOCATION,
        configurationLocation(),
        SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT,
        false,
        SystemConfig.CONTEXT,
        Map.of(
            SystemConfig.QPID_WORK_DIR,
            work.toString(),
            "qpid.amqp_port",
            Integer.toString(port),
            "outpost.broker.username",
            USERNAME,
            "outpost.broker.password",
            password,
            // no preferences.json: there is no management interface to keep preferences for
            "qpid.broker.defaultPreferenceStoreAttributes",
            "{\"type\": \"Noop\"}"));
  }

  /**
   * Without its protocol plugin Qpid starts anyway and drops every connection ("All AMQP protocols
   * are disabled"); the plugin is found through META-INF/services, which a fat jar may lose.
   */
  private static void requireProtocol() {
    if (!AmqpPortImpl.getInstalledProtocols().contains(Protocol.AMQP_0_9_1)) {
      throw new IllegalStateException(
          "embedded broker cannot speak AMQP 0-9-1: the Qpid plugin "
              + "qpid-broker-plugins-amqp-0-8-protocol is not on the class path");
    }
  }

  /**
   * Derby keeps one log per JVM, opened when its driver class loads, which Qpid's plugin discovery
   * does before Qpid points that log at SLF4J; unset, Derby writes derby.log into the current
   * directory. Kept next to the store instead, as the embedded PostgreSQL keeps its log.
   */
  private static void routeDerbyLog(Path work) {
    if (System.getProperty("derby.stream.error.file") == null
        && System.getProperty("derby.stream.error.method") == null
        && System.getProperty("derby.stream.error.field") == null) {
      System.setProperty("derby.stream.error.file", work.resolve("derby.log").toString());
    }
  }

  private static String configurationLocation() {
    URL resource = EmbeddedBroker.class.getResource(CONFIGURATION);
    if (resource == null) {
      throw new IllegalStateException(
          "embedded broker configuration missing [resource: " + CONFIGURATION + "]");
    }
    return resource.toExternalForm();
  }

  /**
   * Qpid adds a JVM shutdown hook of its own that stops the broker, and the JVM runs its hooks all
   * at once: on SIGTERM the broker dropped the server's connections while the server was still
   * stopping its consumers. The broker's owner stops it ({@link #close}) once its clients are gone,
   * so the hook is taken out; Qpid, when stopped, takes out a hook already gone quietly.
   */
  private static void leaveShutdownToOwner(Object broker) {
    try {
      Field hook = BrokerImpl.class.getDeclaredField("_shutdownHook");
      hook.setAccessible(true);
      Runtime.getRuntime().removeShutdownHook((Thread) hook.get(broker));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "embedded broker keeps its own shutdown hook and may stop before the server does", e);
    }
  }

  /**
   * Qpid starts with a node or a port in error rather than failing; the bound port proves it
   * listens.
   */
  private static int requireReady(SystemConfig<?> systemConfig) {
    if (systemConfig == null) {
      throw new IllegalStateException("no broker was created");
    }
    Broker<?> broker = (Broker<?>) systemConfig.getContainer(Broker.class);
    requireActive(broker);
    for (VirtualHostNode<?> node : broker.getChildren(VirtualHostNode.class)) {
      requireActive(node);
      VirtualHost<?> host = node.getVirtualHost();
      if (host == null) {
        throw new IllegalStateException(
            "virtual host node has no virtual host [node: " + node.getName() + "]");
      }
      requireActive(host);
    }
    Port<?> amqp = broker.getChildByName(Port.class, AMQP_PORT);
    if (amqp == null) {
      throw new IllegalStateException("no port configured [name: " + AMQP_PORT + "]");
    }
    requireActive(amqp);
    return amqp.getBoundPort();
  }

  private static void requireActive(ConfiguredObject<?> object) {
    if (object.getState() != State.ACTIVE) {
      throw new IllegalStateException(
          object.getCategoryClass().getSimpleName()
              + " is not active [name: "
              + object.getName()
              + ", state: "
              + object.getState()
              + "]");
    }
  }

  /** The store holds queued messages; only the owner may read it. */
  private static void privateDirectory(Path directory) {
    try {
      Files.createDirectories(directory);
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not create [directory: " + directory + "]", e);
    }
  }

  private record Launch(SystemLauncher launcher, SystemConfig<?> systemConfig, int port) {}

  /** Catches what the launcher reports instead of throwing. */
  private static final class Listener extends SystemLauncherListener.DefaultSystemLauncherListener {
    private volatile SystemConfig<?> systemConfig;
    private volatile RuntimeException failure;

    @Override
    public void onContainerResolve(SystemConfig<?> systemConfig) {
      this.systemConfig = systemConfig;
    }

    @Override
    public void errorOnStartup(RuntimeException e) {
      failure = e;
    }
  }
}
