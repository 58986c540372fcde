package dev.sluice.dispatcher.pool;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * DNS discovery of endpoints, after Envoy's STRICT_DNS clusters: every {@code dns+http://NAME:PORT} (or
 * {@code dns+https://}) endpoint stands for all the A and AAAA records of {@code NAME}, looked up again every
 * {@code discovery.dns_refresh_ms} with Vert.x's non-blocking DNS client, on a timer of its own, never on the
 * request path. Each round hands what it found to its {@link Listener} ({@link Upstreams}), which swaps in the
 * pools whose endpoints changed. A lookup that fails (no answer in time, an error, or no records) keeps the
 * last addresses found and is reported as failed, to be counted.
 *
 * <p>Names are looked up as written when DNS servers are configured; with the system's server, the search
 * domains and {@code ndots} of {@code /etc/resolv.conf} apply as a resolver would apply them, so a short
 * Kubernetes Service name finds its namespace's record.
 */
final class Discovery {
  private static final System.Logger LOG = System.getLogger("sluice.discovery");
  private static final String PREFIX = "dns+";

  /** Hears each round's results. */
  interface Listener {
    /**
     * @param found  names looked up with success → their addresses (never empty)
     * @param failed names whose lookup failed, which keep their last addresses
     */
    void resolved(Map<URI, List<InetAddress>> found, Set<URI> failed);
  }

  private final Vertx vertx;
  private final DiscoveryConfig config;
  private final Supplier<Set<URI>> origins;
  private final Listener listener;
  private final List<DnsClient> servers = new ArrayList<>();
  private final List<String> searchDomains;
  private final int ndots;
  private final Set<URI> failing = new HashSet<>();
  private Context context;
  private long timer = -1;
  private boolean running;

  /**
   * @param origins the {@code dns+} endpoint URLs of the pools now, asked at every round
   */
  Discovery(Vertx vertx, DiscoveryConfig config, Supplier<Set<URI>> origins, Listener listener) {
    this.vertx = vertx;
    this.config = config;
    this.origins = origins;
    this.listener = listener;
    long timeout = config.dnsTimeout().toMillis();
    if (config.dnsServers().isEmpty()) {
      servers.add(vertx.createDnsClient(new DnsClientOptions().setQueryTimeout(timeout)));
      searchDomains = systemSearchDomains();
      ndots = AddressResolverOptions.DEFAULT_NDOTS;
    } else {
      for (String s : config.dnsServers()) {
        servers.add(vertx.createDnsClient(new DnsClientOptions().setHost(DiscoveryConfig.host(s))
            .setPort(DiscoveryConfig.port(s)).setQueryTimeout(timeout)));
      }
      searchDomains = List.of();
      ndots = 1;
    }
  }

  /** Whether an endpoint URL is found through DNS. */
  static boolean isDns(URI endpoint) {
    return endpoint.getScheme() != null && endpoint.getScheme().toLowerCase().startsWith(PREFIX);
  }

  /** The scheme requests use: {@code http} or {@code https}, with or without the {@code dns+} prefix. */
  static String scheme(URI endpoint) {
    String s = endpoint.getScheme().toLowerCase();
    return s.startsWith(PREFIX) ? s.substring(PREFIX.length()) : s;
  }

  /** Looks every name up now, then every refresh period; completes when the first round is done. */
  Future<Void> start() {
    context = vertx.getOrCreateContext();
    Promise<Void> first = Promise.promise();
    context.runOnContext(v -> round().onComplete(ar -> {
      timer = vertx.setPeriodic(config.dnsRefresh().toMillis(), id -> round());
      first.complete();
    }));
    return first.future();
  }

  /** One round now (a reload that adds names asks for one); completes when it is done. */
  Future<Void> refresh() {
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> round().onComplete(done));
    return done.future();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    servers.forEach(DnsClient::close);
  }

  /** A round that finds the previous one still waiting for an answer is skipped. */
  private Future<Void> round() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    Map<URI, Future<List<InetAddress>>> lookups = new LinkedHashMap<>();
    for (URI origin : origins.get()) {
      lookups.put(origin, lookup(origin.getHost()));
    }
    return Future.join(new ArrayList<>(lookups.values())).<Void>transform(ignored -> {
      Map<URI, List<InetAddress>> found = new LinkedHashMap<>();
      Set<URI> failed = new LinkedHashSet<>();
      lookups.forEach((origin, f) -> {
        if (f.succeeded()) {
          found.put(origin, f.result());
          if (failing.remove(origin)) {
            LOG.log(System.Logger.Level.INFO, "{0} resolves again: {1}", origin, f.result());
          }
        } else {
          failed.add(origin);
          if (failing.add(origin)) {
            LOG.log(System.Logger.Level.WARNING, "cannot resolve {0} ({1}); its last addresses are kept",
                origin, f.cause().getMessage());
          }
        }
      });
      try {
        listener.resolved(found, failed);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "applying discovered endpoints failed", e);
      }
      return Future.succeededFuture();
    }).andThen(ar -> running = false);
  }

  /** Every A and AAAA address of {@code host}: from the first server that knows, under the first name that has any. */
  Future<List<InetAddress>> lookup(String host) {
    InetAddress literal = literal(host);
    if (literal != null) {
      return Future.succeededFuture(List.of(literal));
    }
    Future<List<InetAddress>> result = Future.failedFuture("no DNS server");
    for (DnsClient server : servers) {
      result = result.recover(e -> lookup(server, candidates(host), 0));
    }
    return result;
  }

  private Future<List<InetAddress>> lookup(DnsClient server, List<String> names, int i) {
    Future<List<InetAddress>> here = addresses(server, names.get(i));
    return i + 1 == names.size() ? here : here.recover(e -> lookup(server, names, i + 1));
  }

  /** A and AAAA records of one name; no record of either is a failure. */
  private Future<List<InetAddress>> addresses(DnsClient server, String name) {
    long timeout = config.dnsTimeout().toMillis();
    Future<List<String>> a = server.resolveA(name).timeout(timeout, TimeUnit.MILLISECONDS);
    Future<List<String>> aaaa = server.resolveAAAA(name).timeout(timeout, TimeUnit.MILLISECONDS);
    return Future.join(a, aaaa).transform(ignored -> {
      if (a.failed() && aaaa.failed()) {
        return Future.failedFuture(a.cause());
      }
      Set<InetAddress> out = new LinkedHashSet<>();
      for (Future<List<String>> f : List.of(a, aaaa)) {
        if (f.succeeded()) {
          for (String ip : f.result()) {
            InetAddress address = literal(ip);
            if (address != null) {
              out.add(address);
            }
          }
        }
      }
      return out.isEmpty() ? Future.failedFuture(name + " has no A or AAAA record")
          : Future.succeededFuture(List.copyOf(out));
    });
  }

  /** The names a resolver would try for {@code host}, in order (search domains per {@code ndots}). */
  List<String> candidates(String host) {
    if (host.endsWith(".") || searchDomains.isEmpty()) {
      return List.of(host);
    }
    List<String> searched = new ArrayList<>();
    for (String domain : searchDomains) {
      searched.add(host + "." + domain);
    }
    List<String> names = new ArrayList<>();
    if (host.chars().filter(c -> c == '.').count() >= ndots) {
      names.add(host);
      names.addAll(searched);
    } else {
      names.addAll(searched);
      names.add(host);
    }
    return names;
  }

  /** The address of an IP literal, without any lookup; null for a name. */
  private static InetAddress literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ip = h.indexOf(':') >= 0 || h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    if (!ip || h.isEmpty()) {
      return null;
    }
    try {
      return InetAddress.getByName(h); // a literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The {@code search} (or {@code domain}) line of {@code /etc/resolv.conf}; none when it cannot be read. */
  private static List<String> systemSearchDomains() {
    Path file = Path.of("/etc/resolv.conf");
    List<String> domains = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String[] words = line.trim().split("\\s+");
        if (words.length > 1 && (words[0].equals("search") || words[0].equals("domain"))) {
          domains.clear(); // the last one wins, as in the resolver
          domains.addAll(List.of(words).subList(1, words.length));
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return List.copyOf(domains);
  }
}
