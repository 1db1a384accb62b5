import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outpost.server.embedded.EmbeddedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Checks that the server's fat jar holds a working embedded broker: Qpid finds its plugins through
 * META-INF/services files that the shade plugin must merge. Run by scripts/check-jar as
 * {@code java -cp server/target/outpost-server.jar scripts/JarCheck.java}, with nothing else on the
 * class path; exits non-zero on failure.
 */
public final class JarCheck {

  private static final String QUEUE = "jar-check";
  private static final String BODY = "kept";

  public static void main(String[] args) throws Exception {
    Path home = Files.createTempDirectory("outpost-jar-check");
    String password = dev.outpost.server.account.Secrets.generate();
    try {
      try (EmbeddedBroker broker = EmbeddedBroker.start(home, password)) {
        try (Connection connection = connect(broker); Channel channel = connection.createChannel()) {
          channel.queueDeclare(QUEUE, true, false, false, null);
          channel.confirmSelect();
          AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
          channel.basicPublish("", QUEUE, persistent, BODY.getBytes(StandardCharsets.UTF_8));
          channel.waitForConfirmsOrDie(10_000);
        }
      }
      try (EmbeddedBroker broker = EmbeddedBroker.start(home, password);
          Connection connection = connect(broker);
          Channel channel = connection.createChannel()) {
        GetResponse response = channel.basicGet(QUEUE, false);
        String body = response == null ? null : new String(response.getBody(), StandardCharsets.UTF_8);
        if (!BODY.equals(body)) {
          throw new IllegalStateException("the message published before the restart is missing [got: " + body + "]");
        }
        channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
      }
      System.out.println("jar check: the embedded broker starts, confirms, and keeps messages across a restart");
    } finally {
      delete(home);
    }
  }

  private static Connection connect(EmbeddedBroker broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.amqpUrl());
    return factory.newConnection("jar-check");
  }

  private static void delete(Path home) throws IOException {
    try (Stream<Path> paths = Files.walk(home)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
