package dev.outpost.server.jobs.handlers;

import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * SyncPocketRequest: mirrors a package repository pocket into server storage
 * ({@code <home>/storage/pockets/<account>/<pocket>/}), reporting progress as it goes.
 *
 * <p>The source is a local directory (or {@code file:} URL), copied whole, or an http(s) URL of a
 * flat repository: its {@code Packages} index is fetched, then every {@code Filename:} it names.
 */
public final class SyncPocketHandler implements JobHandler {

  private static final Pattern POCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern FILENAME = Pattern.compile("(?m)^Filename:\\s*(\\S+)\\s*$");

  @Override
  public Future<String> run(JobContext context) throws IOException {
    String source = context.job().parameters().getString("source_url");
    String pocket = context.job().parameters().getString("pocket");
    if (!POCKET.matcher(pocket).matches()) {
      throw new IllegalArgumentException("pocket name '" + pocket
          + "' must be letters, digits, '.', '_' or '-'");
    }
    Path target = context.storage().resolve("pockets")
        .resolve(Long.toString(context.job().accountId())).resolve(pocket);
    Files.createDirectories(target);
    if (source.startsWith("http://") || source.startsWith("https://")) {
      return mirrorHttp(context, stripSlash(source), target);
    }
    Path dir = source.startsWith("file:") ? Path.of(URI.create(source)) : Path.of(source);
    return Future.succeededFuture(mirrorDirectory(context, dir, target));
  }

  private static String mirrorDirectory(JobContext context, Path source, Path target)
      throws IOException {
    if (!Files.isDirectory(source)) {
      throw new IllegalArgumentException("source '" + source + "' is not a directory");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    long bytes = 0;
    for (int i = 0; i < files.size(); i++) {
      context.checkCanceled();
      Path file = files.get(i);
      Path copy = target.resolve(source.relativize(file).toString());
      Files.createDirectories(copy.getParent());
      Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
      bytes += Files.size(copy);
      context.progress(percent(i + 1, files.size()));
    }
    return summary(files.size(), bytes, source.toString(), target);
  }

  private static Future<String> mirrorHttp(JobContext context, String base, Path target) {
    WebClient web = WebClient.create(context.vertx());
    return fetch(web, base + "/Packages")
        .compose(index -> {
          write(target.resolve("Packages"), index);
          List<String> names = new ArrayList<>();
          FILENAME.matcher(index.toString(StandardCharsets.UTF_8))
              .results().forEach(m -> names.add(m.group(1)));
          return download(context, web, base, target, names, 0, index.length());
        })
        .map(stats -> summary(stats[0], stats[1], base, target))
        .onComplete(done -> web.close());
  }

  /** Downloads the files one after another, so progress means something and memory stays flat. */
  private static Future<long[]> download(JobContext context, WebClient web, String base,
      Path target, List<String> names, int done, long bytes) {
    if (done == names.size()) {
      return Future.succeededFuture(new long[] {names.size() + 1, bytes});
    }
    context.checkCanceled();
    String name = names.get(done);
    Path file = target.resolve(name).normalize();
    if (!file.startsWith(target)) {
      return Future.failedFuture("the index names a file outside the pocket: '" + name + "'");
    }
    return fetch(web, base + "/" + name)
        .compose(body -> {
          write(file, body);
          return context.progress(percent(done + 1, names.size()))
              .recover(e -> Future.succeededFuture(false))
              .compose(p -> download(context, web, base, target, names, done + 1,
                  bytes + body.length()));
        });
  }

  private static Future<Buffer> fetch(WebClient web, String url) {
    return web.getAbs(url).as(BodyCodec.buffer()).send()
        .compose((HttpResponse<Buffer> response) -> response.statusCode() == 200
            ? Future.succeededFuture(response.body() == null ? Buffer.buffer() : response.body())
            : Future.failedFuture("GET " + url + " answered " + response.statusCode()));
  }

  private static void write(Path file, Buffer body) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, body.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static int percent(int done, int total) {
    return total == 0 ? 100 : (int) (100L * done / total);
  }

  private static String summary(long files, long bytes, String source, Path target) {
    return "mirrored " + files + " files (" + bytes + " bytes) from " + source + " into " + target;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
