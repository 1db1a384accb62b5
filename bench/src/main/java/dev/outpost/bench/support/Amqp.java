package dev.outpost.bench.support;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/** Small blocking chores on RabbitMQ: its version, deleting a benchmark's queue. */
public final class Amqp {

  private Amqp() {}

  /** The broker's version, as it announces it. */
  public static String version(String url) {
    try (Connection connection = factory(url).newConnection()) {
      return String.valueOf(connection.getServerProperties().get("version"));
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** Deletes the queue, if it exists. */
  public static void deleteQueue(String url, String queue) {
    try (Connection connection = factory(url).newConnection();
        var channel = connection.createChannel()) {
      channel.queueDelete(queue);
    } catch (Exception e) {
      System.err.println("bench: could not delete queue " + queue + ": " + e.getMessage());
    }
  }

  private static ConnectionFactory factory(String url) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(url);
    return factory;
  }
}
