package dev.outpost.server.jobs.handlers;

import dev.outpost.server.ServerConfig.FetchConfig;
import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.net.OutboundAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Mirrors a flat http(s) repository into a directory: its {@code Packages} index, then every {@code
 * Filename:} it names, one file at a time, each streamed to disk. Every request, redirects
 * included, goes to an address the outbound rule passed, and to the very address it passed.
 */
final class HttpMirror {

  /** Redirects one file may take at most, each checked as the first request was. */
  static final int MAX_REDIRECTS = 5;

  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final JobContext context;
  private final HttpClient client;
  private final OutboundAddresses addresses;
  private final FetchConfig limits;
  private final PocketBudget budget;

  /** The request under way, reset by {@link #abort}. */
  private volatile HttpClientRequest inFlight;

  private volatile RuntimeException aborted;
  private int reported = -1;

  HttpMirror(
      JobContext context,
      HttpClient client,
      OutboundAddresses addresses,
      FetchConfig limits,
      PocketBudget budget) {
    this.context = context;
    this.client = client;
    this.addresses = addresses;
    this.limits = limits;
    this.budget = budget;
  }

  /** Mirrors the repository at {@code base} into {@code into}; an abort fails it with its cause. */
  Future<Void> mirror(URI base, Path into) {
    String root = base.toString().replaceAll("/+$", "");
    Path index = into.resolve("Packages");
    return Future.<Void>succeededFuture()
        .compose(
            start -> {
              budget.addFile();
              return fetch(URI.create(root + "/Packages"), index, MAX_REDIRECTS);
            })
        .compose(
            fetched ->
                context
                    .vertx()
                    .executeBlocking(() -> PackagesIndex.fileNames(index, budget), false))
        .compose(names -> fetchAll(root, into, names, 0))
        .transform(
            done ->
                aborted != null
                    ? Future.failedFuture(aborted)
                    : done.failed() ? Future.failedFuture(done.cause()) : Future.succeededFuture());
  }

  /** Stops the sync: the request under way is reset, and no other is made. */
  void abort(RuntimeException cause) {
    if (aborted != null) {
      return;
    }
    aborted = cause;
    HttpClientRequest request = inFlight;
    if (request != null) {
      request.reset(0, cause);
    }
  }

  private Future<Void> fetchAll(String root, Path into, List<String> names, int done) {
    if (done == names.size()) {
      return Future.succeededFuture();
    }
    String name = names.get(done);
    Path file;
    URI url;
    try {
      file = into.resolve(name).normalize();
      url = new URI(root + "/" + name);
    } catch (InvalidPathException | URISyntaxException e) {
      return Future.failedFuture(
          new PocketFailure("the index names a file that is no URL path: '" + name + "'"));
    }
    if (!file.startsWith(into) || file.equals(into)) {
      return Future.failedFuture(
          new PocketFailure("the index names a file outside the pocket: '" + name + "'"));
    }
    return fetch(url, file, MAX_REDIRECTS)
        .compose(
            fetched -> {
              progress(done + 1, names.size());
              return fetchAll(root, into, names, done + 1);
            });
  }

  /** GETs one URL into a file, following redirects while each passes the same checks. */
  private Future<Void> fetch(URI url, Path file, int redirectsLeft) {
    if (aborted != null) {
      return Future.failedFuture(aborted);
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Future.failedFuture(new PocketFailure("'" + url + "' is not an http(s) URL"));
    }
    if (url.getHost() == null) {
      return Future.failedFuture(new PocketFailure("'" + url + "' names no host"));
    }
    boolean tls = scheme.equals("https");
    int port = url.getPort() < 0 ? (tls ? 443 : 80) : url.getPort();
    String host = url.getHost().replaceAll("^\\[(.*)]$", "$1");
    return addresses
        .resolve(context.vertx(), host)
        .compose(address -> connect(url, host, port, tls, address))
        .compose(
            request ->
                request.send().recover(e -> Future.failedFuture(transferFailure(url, host, e))))
        .compose(response -> receive(url, host, response, file, redirectsLeft));
  }

  private Future<HttpClientRequest> connect(
      URI url, String host, int port, boolean tls, InetAddress address) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            // the address checked, not what the name resolves to by now; Host and TLS name the host
            .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
            .setHost(host)
            .setPort(port)
            .setSsl(tls)
            .setURI(url.getRawQuery() == null ? path : path + "?" + url.getRawQuery())
            .setConnectTimeout(limits.connectTimeout().toMillis())
            .setIdleTimeout(limits.idleTimeout().toMillis())
            .setFollowRedirects(false);
    return client
        .request(options)
        .recover(e -> Future.failedFuture(connectFailure(host, address, e)))
        .map(
            request -> {
              inFlight = request;
              RuntimeException cause = aborted;
              if (cause != null) {
                request.reset(0, cause);
              }
              return request;
            });
  }

  private Future<Void> receive(
      URI url, String host, HttpClientResponse response, Path file, int redirectsLeft) {
    int status = response.statusCode();
    if (REDIRECTS.contains(status)) {
      String location = response.getHeader(HttpHeaders.LOCATION);
      discard(response);
      if (location == null) {
        return failed("GET " + url + " answered " + status + " with no Location");
      }
      if (redirectsLeft == 0) {
        return failed("GET " + url + " was redirected more than " + MAX_REDIRECTS + " times");
      }
      URI next;
      try {
        next = url.resolve(new URI(location.strip()));
      } catch (URISyntaxException | IllegalArgumentException e) {
        return failed("GET " + url + " was redirected to '" + location + "', which is no URL");
      }
      return fetch(next, file, redirectsLeft - 1);
    }
    if (status != 200) {
      discard(response);
      return failed("GET " + url + " answered " + status);
    }
    try {
      String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null) {
        budget.expectBytes(Long.parseLong(length.strip()));
      }
    } catch (NumberFormatException e) {
      // no usable length: the bytes are counted as they come
    } catch (PocketFailure e) {
      discard(response);
      return Future.failedFuture(e);
    }
    return save(url, host, response, file);
  }

  /** Streams a response's body to a file, counting its bytes against the cap as they come. */
  private Future<Void> save(URI url, String host, HttpClientResponse response, Path file) {
    // nothing may arrive before the handlers below are set
    response.pause();
    FileSystem fs = context.vertx().fileSystem();
    return fs.mkdirs(file.getParent().toString())
        .compose(
            made ->
                fs.open(
                    file.toString(),
                    new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true)))
        .recover(
            e -> {
              discard(response);
              return Future.failedFuture(writeFailure(url, e));
            })
        .compose(out -> stream(url, host, response, out));
  }

  private Future<Void> stream(URI url, String host, HttpClientResponse response, AsyncFile out) {
    Promise<Void> done = Promise.promise();
    // the request's own idle timeout ends with the response's head; this one watches the body
    IdleWatch idle =
        new IdleWatch(
            () -> {
              RuntimeException cause = idleFailure(url, host);
              done.tryFail(cause);
              response.request().reset(0, cause);
            });
    response.exceptionHandler(e -> done.tryFail(transferFailure(url, host, e)));
    response.handler(
        chunk -> {
          if (done.future().isComplete()) {
            return;
          }
          idle.dataReceived();
          try {
            budget.addBytes(chunk.length());
          } catch (PocketFailure e) {
            done.tryFail(e);
            response.request().reset(0, e);
            return;
          }
          out.write(chunk)
              .onFailure(
                  e -> {
                    done.tryFail(writeFailure(url, e));
                    response.request().reset(0, e);
                  });
          if (out.writeQueueFull()) {
            response.pause();
            // a slow disk is no quiet server
            out.drainHandler(
                drained -> {
                  idle.dataReceived();
                  response.resume();
                });
          }
        });
    response.endHandler(end -> done.tryComplete());
    response.resume();
    return done.future()
        .transform(
            streamed -> {
              idle.stop();
              return out.close()
                  .transform(
                      closed -> {
                        if (streamed.failed()) {
                          return Future.failedFuture(streamed.cause());
                        }
                        return closed.failed()
                            ? Future.failedFuture(writeFailure(url, closed.cause()))
                            : Future.succeededFuture();
                      });
            });
  }

  /** Calls its action once nothing arrived for the idle timeout, until stopped. */
  private final class IdleWatch {

    private final Runnable action;
    private final long timeoutMs = limits.idleTimeout().toMillis();
    private volatile long lastData = System.currentTimeMillis();
    private volatile long timer;
    private volatile boolean stopped;

    IdleWatch(Runnable action) {
      this.action = action;
      this.timer = context.vertx().setTimer(timeoutMs, this::check);
    }

    void dataReceived() {
      lastData = System.currentTimeMillis();
    }

    void stop() {
      stopped = true;
      context.vertx().cancelTimer(timer);
    }

    /** Rather than a timer set again for every chunk, one that looks when it is due. */
    private void check(long id) {
      if (stopped) {
        return;
      }
      long quiet = System.currentTimeMillis() - lastData;
      if (quiet >= timeoutMs) {
        action.run();
      } else {
        timer = context.vertx().setTimer(timeoutMs - quiet, this::check);
      }
    }
  }

  private void progress(int done, int total) {
    int percent = (int) (100L * done / total);
    if (percent != reported) {
      reported = percent;
      context.progress(percent);
    }
  }

  /** Lets a response go unread: its request is reset, so no body keeps the connection busy. */
  private static void discard(HttpClientResponse response) {
    response.exceptionHandler(ignored -> {});
    response.request().reset();
  }

  private Throwable connectFailure(String host, InetAddress address, Throwable e) {
    String where = "'" + host + "' (" + address.getHostAddress() + ")";
    if (e instanceof TimeoutException || e instanceof io.netty.channel.ConnectTimeoutException) {
      return new PocketFailure(
          "could not connect to "
              + where
              + " within "
              + limits.connectTimeout().toSeconds()
              + " s (OUTPOST_OUTBOUND_CONNECT_TIMEOUT_SECONDS)");
    }
    return new PocketFailure("could not connect to " + where + ": " + message(e));
  }

  private Throwable transferFailure(URI url, String host, Throwable e) {
    if (e instanceof PocketFailure) {
      return e;
    }
    if (e instanceof TimeoutException) {
      return idleFailure(url, host);
    }
    return new PocketFailure("GET " + url + " failed: " + message(e));
  }

  private PocketFailure idleFailure(URI url, String host) {
    return new PocketFailure(
        "GET "
            + url
            + ": nothing came from '"
            + host
            + "' for "
            + limits.idleTimeout().toSeconds()
            + " s (OUTPOST_OUTBOUND_IDLE_TIMEOUT_SECONDS)");
  }

  /** A file-system error names the server's paths: the text names the URL and the kind alone. */
  private static Throwable writeFailure(URI url, Throwable e) {
    return new PocketFailure(
        "could not write what GET " + url + " answered (" + e.getClass().getSimpleName() + ")");
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static Future<Void> failed(String message) {
    return Future.failedFuture(new PocketFailure(message));
  }
}
