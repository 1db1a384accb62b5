package dev.outpost.server.embedded;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import dev.outpost.server.account.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class EmbeddedBrokerTest {

  private static final String QUEUE = "outpost.test";
  private static final String PASSWORD = Secrets.generate();
  private static final int PREFETCH = 10;
  private static final AMQP.BasicProperties PERSISTENT =
      new AMQP.BasicProperties.Builder().deliveryMode(2).build();

  @TempDir Path home;

  /**
   * Verifies that confirmed persistent messages reach a manual-ack consumer exactly once. GIVEN a
   * durable queue, WHEN 100 persistent messages are published and confirmed, and consumed with a
   * prefetch of 10 and acked one by one, THEN each arrives once, in order, and none is left.
   */
  @Test
  void deliversConfirmedMessagesExactlyOnce(Vertx vertx) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD)) {
      assertThat(broker.amqpUrl())
          .isEqualTo("amqp://guest:" + PASSWORD + "@127.0.0.1:" + broker.port());
      RabbitMQClient client = connect(vertx, broker);
      List<String> sent = bodies("m", 100);

      publishConfirmed(client, sent);
      List<String> received = new ArrayList<>();
      LinkedBlockingQueue<RabbitMQMessage> deliveries = consume(client);
      for (int i = 0; i < sent.size(); i++) {
        RabbitMQMessage message = next(deliveries);
        received.add(message.body().toString());
        await(client.basicAck(message.envelope().getDeliveryTag(), false));
      }

      assertThat(received).containsExactlyElementsOf(sent);
      assertThat(deliveries.poll(200, TimeUnit.MILLISECONDS)).isNull();
      assertThat(await(client.messageCount(QUEUE))).isZero();
      await(client.stop());
    }
  }

  /**
   * Verifies that the prefetch limits what a consumer holds unacked. GIVEN 20 queued messages and a
   * prefetch of 10, WHEN a consumer acks nothing, THEN it gets 10 and no more; WHEN it acks them,
   * THEN it gets the other 10.
   */
  @Test
  void holdsBackDeliveriesBeyondThePrefetch(Vertx vertx) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD)) {
      RabbitMQClient client = connect(vertx, broker);
      publishConfirmed(client, bodies("p", 2 * PREFETCH));
      LinkedBlockingQueue<RabbitMQMessage> deliveries = consume(client);

      List<RabbitMQMessage> window = new ArrayList<>();
      for (int i = 0; i < PREFETCH; i++) {
        window.add(next(deliveries));
      }
      assertThat(deliveries.poll(300, TimeUnit.MILLISECONDS))
          .as("a delivery beyond the prefetch")
          .isNull();
      for (RabbitMQMessage message : window) {
        await(client.basicAck(message.envelope().getDeliveryTag(), false));
      }
      for (int i = 0; i < PREFETCH; i++) {
        await(client.basicAck(next(deliveries).envelope().getDeliveryTag(), false));
      }

      assertThat(await(client.messageCount(QUEUE))).isZero();
      await(client.stop());
    }
  }

  /**
   * Verifies that a message nacked with requeue comes back. GIVEN a consumed message, WHEN it is
   * nacked with requeue, THEN it is delivered again, marked as redelivered, and once acked the
   * queue is empty.
   */
  @Test
  void redeliversAMessageNackedWithRequeue(Vertx vertx) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD)) {
      RabbitMQClient client = connect(vertx, broker);
      publishConfirmed(client, List.of("again"));
      LinkedBlockingQueue<RabbitMQMessage> deliveries = consume(client);

      RabbitMQMessage first = next(deliveries);
      await(client.basicNack(first.envelope().getDeliveryTag(), false, true));
      RabbitMQMessage second = next(deliveries);
      await(client.basicAck(second.envelope().getDeliveryTag(), false));

      assertThat(first.envelope().isRedeliver()).isFalse();
      assertThat(second.body().toString()).isEqualTo("again");
      assertThat(second.envelope().isRedeliver()).isTrue();
      assertThat(await(client.messageCount(QUEUE))).isZero();
      await(client.stop());
    }
  }

  /**
   * Verifies that the durable queue and its unacked messages outlive the broker. GIVEN 10 confirmed
   * persistent messages of which 3 were acked, WHEN the broker is closed and started again on the
   * same home, THEN the queue still exists and delivers the other 7.
   */
  @Test
  void keepsQueuesAndMessagesBetweenRuns(Vertx vertx) throws Exception {
    List<String> sent = bodies("kept", 10);
    try (EmbeddedBroker first = EmbeddedBroker.start(home, PASSWORD)) {
      RabbitMQClient client = connect(vertx, first);
      publishConfirmed(client, sent);
      LinkedBlockingQueue<RabbitMQMessage> deliveries = consume(client);
      for (int i = 0; i < 3; i++) {
        await(client.basicAck(next(deliveries).envelope().getDeliveryTag(), false));
      }
      await(client.stop());
    }

    try (EmbeddedBroker second = EmbeddedBroker.start(home, PASSWORD)) {
      RabbitMQClient client =
          RabbitMQClient.create(vertx, new RabbitMQOptions().setUri(second.amqpUrl()));
      await(client.start());
      // a passive declare: fails unless the queue was kept
      assertThat(await(client.messageCount(QUEUE))).isEqualTo(7);
      await(client.basicQos(PREFETCH));
      LinkedBlockingQueue<RabbitMQMessage> deliveries = consume(client);
      List<String> received = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        RabbitMQMessage message = next(deliveries);
        received.add(message.body().toString());
        await(client.basicAck(message.envelope().getDeliveryTag(), false));
      }
      assertThat(received).containsExactlyElementsOf(sent.subList(3, 10));
      await(client.stop());
    }
  }

  /**
   * Verifies that a broker that stopped is started again on its store and port, and that a
   * persistent message survives it. GIVEN a running broker holding 5 confirmed messages and
   * watched, WHEN it stops as a failure would stop it, THEN it is seen not running, the watch
   * starts it again, and a new client gets the 5 messages.
   */
  @Test
  void aStoppedBrokerIsStartedAgainOnItsStore(Vertx vertx) throws Exception {
    List<String> sent = bodies("kept", 5);
    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD);
        EmbeddedWatch watch =
            EmbeddedWatch.start(
                List.of(EmbeddedWatch.Service.of(broker)),
                () -> {
                  throw new AssertionError("gave up");
                },
                java.time.Duration.ofMillis(100),
                java.time.Duration.ofMillis(100))) {
      RabbitMQClient client = connect(vertx, broker);
      publishConfirmed(client, sent);
      await(client.stop());
      assertThat(broker.running()).isTrue();

      broker.failForTest();

      assertThat(broker.running()).isFalse();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!broker.running()) {
        assertThat(System.nanoTime()).as("started again within 60 s").isLessThan(until);
        Thread.sleep(100);
      }
      RabbitMQClient again = connect(vertx, broker);
      assertThat(await(again.messageCount(QUEUE))).isEqualTo(5);
      await(again.stop());
    }
  }

  /**
   * Verifies that the broker takes only its generated password, and that a store made when the
   * password was RabbitMQ's default keeps its messages under the new one. GIVEN a broker started
   * with the old fixed password ("guest") holding a persistent message, WHEN it starts again with a
   * generated password, THEN the default and a wrong password are refused, and the generated one
   * gets the message.
   */
  @Test
  void takesOnlyItsGeneratedPasswordAndKeepsAnOldStore() throws Exception {
    try (EmbeddedBroker old = EmbeddedBroker.start(home, "guest");
        Connection connection = plainConnect(old.amqpUrl());
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(QUEUE, true, false, false, null);
      channel.confirmSelect();
      channel.basicPublish("", QUEUE, PERSISTENT, "kept".getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(10_000);
    }

    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD)) {
      String address = "@127.0.0.1:" + broker.port();
      assertThatThrownBy(() -> plainConnect("amqp://guest:guest" + address))
          .isInstanceOf(PossibleAuthenticationFailureException.class);
      assertThatThrownBy(() -> plainConnect("amqp://guest:wrong" + address))
          .isInstanceOf(PossibleAuthenticationFailureException.class);
      try (Connection connection = plainConnect(broker.amqpUrl());
          Channel channel = connection.createChannel()) {
        assertThat(new String(channel.basicGet(QUEUE, true).getBody(), StandardCharsets.UTF_8))
            .isEqualTo("kept");
      }
    }
  }

  private static Connection plainConnect(String uri) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    return factory.newConnection("embedded-broker-test");
  }

  /**
   * Verifies that a failed start says so and leaves the home usable. GIVEN a port another socket
   * holds, WHEN the broker starts on it, THEN the start fails, and a start on a free port with the
   * same home succeeds.
   */
  @Test
  void failsToStartOnAPortInUse() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> EmbeddedBroker.start(home, taken.getLocalPort(), PASSWORD))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("embedded broker did not start");
    }

    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD)) {
      assertThat(broker.port()).isPositive();
    }
  }

  /**
   * Verifies that one home serves one broker at a time. GIVEN a running broker, WHEN a second one
   * starts on the same home, THEN it is refused.
   */
  @Test
  void refusesASecondBrokerOnTheSameHome() {
    try (EmbeddedBroker broker = EmbeddedBroker.start(home, PASSWORD)) {
      assertThatThrownBy(() -> EmbeddedBroker.start(home, PASSWORD))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already in use");
    }
  }

  /**
   * A started client whose channel has the durable queue, the prefetch and publisher confirms. In
   * 5.0.7 {@code start()} completes before the connection-established callbacks have run, so the
   * callback also reports to a promise of our own.
   */
  private static RabbitMQClient connect(Vertx vertx, EmbeddedBroker broker) {
    RabbitMQClient client =
        RabbitMQClient.create(vertx, new RabbitMQOptions().setUri(broker.amqpUrl()));
    Promise<Void> ready = Promise.promise();
    client.addConnectionEstablishedCallback(
        established ->
            client
                .queueDeclare(QUEUE, true, false, false)
                .compose(declared -> client.basicQos(PREFETCH))
                .compose(qos -> client.confirmSelect())
                .onComplete(established)
                .onComplete(result -> ready.tryComplete(), ready::tryFail));
    await(client.start());
    await(ready.future());
    return client;
  }

  /**
   * Publishes one after another: a channel numbers confirms in the order it sends, and is not
   * thread-safe.
   */
  private static void publishConfirmed(RabbitMQClient client, List<String> bodies) {
    Future<Void> published = Future.succeededFuture();
    for (String body : bodies) {
      published =
          published.compose(
              previous -> client.basicPublish("", QUEUE, PERSISTENT, Buffer.buffer(body)));
    }
    await(published);
    await(client.waitForConfirms(10_000));
  }

  /**
   * Starts a manual-ack consumer. The handler is set in the callback that completes {@code
   * basicConsumer}: the consumer is already resumed then, and drops what arrives before it has a
   * handler.
   */
  private static LinkedBlockingQueue<RabbitMQMessage> consume(RabbitMQClient client) {
    LinkedBlockingQueue<RabbitMQMessage> deliveries = new LinkedBlockingQueue<>();
    await(
        client
            .basicConsumer(QUEUE, new QueueOptions().setAutoAck(false))
            .map(consumer -> consumer.handler(deliveries::add)));
    return deliveries;
  }

  private static RabbitMQMessage next(LinkedBlockingQueue<RabbitMQMessage> deliveries)
      throws InterruptedException {
    RabbitMQMessage message = deliveries.poll(10, TimeUnit.SECONDS);
    assertThat(message).as("a delivery within 10 seconds").isNotNull();
    return message;
  }

  private static List<String> bodies(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
  }
}
