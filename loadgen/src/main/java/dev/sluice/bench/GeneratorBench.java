package dev.sluice.bench;

import dev.sluice.loadgen.Loadgen;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./sluice bench loadgen [loadgen options]}: how fast the load generator itself can go. Starts an
 * {@link InstantUpstream} in the same process (its own Vert.x, {@code --upstream-loops} event loops, default 1) and
 * drives it with the given load generator options ({@code --target} is filled in).
 */
public final class GeneratorBench {

  private GeneratorBench() {
  }

  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    int loops = 1;
    int i = rest.indexOf("--upstream-loops");
    if (i >= 0) {
      loops = Integer.parseInt(rest.get(i + 1));
      rest.subList(i, i + 2).clear();
    }
    if (!rest.contains("--rate") && !rest.contains("--closed") && !rest.contains("--trace")) {
      rest.addAll(List.of("--rate", "10000"));
    }
    Vertx upstream = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    try {
      int port = InstantUpstream.deploy(upstream, 0, loops).await();
      rest.addAll(0, List.of("--target", "http://127.0.0.1:" + port));
      Loadgen.Options options = Loadgen.parse(rest.toArray(String[]::new));
      Loadgen.run(options);
    } finally {
      upstream.close().await();
    }
  }
}
