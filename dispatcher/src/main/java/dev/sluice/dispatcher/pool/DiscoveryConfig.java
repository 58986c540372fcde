package dev.sluice.dispatcher.pool;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import java.time.Duration;
import java.util.List;

/**
 * How endpoints written {@code dns+http://NAME:PORT} are found: the {@code discovery:} section.
 *
 * @param dnsRefresh how often every name is looked up again
 * @param dnsTimeout bound on one lookup (each server asked in turn gets this long)
 * @param dnsServers {@code host[:port]} of the DNS servers to ask, in order; empty: the system's
 */
public record DiscoveryConfig(Duration dnsRefresh, Duration dnsTimeout, List<String> dnsServers) {
  static final Key<DiscoveryConfig, Duration> DNS_REFRESH_MS = Key.of("dns_refresh_ms", Type.MILLIS,
          DiscoveryConfig::dnsRefresh).byDefault(Duration.ofSeconds(5)).atLeast(100)
      .doc("how often each `dns+http://` name is looked up again; endpoints that appear join the pool, ones that "
          + "disappear take no new requests and finish those in flight");
  static final Key<DiscoveryConfig, Duration> DNS_TIMEOUT_MS = Key.of("dns_timeout_ms", Type.MILLIS,
          DiscoveryConfig::dnsTimeout).byDefault(Duration.ofSeconds(2)).positive()
      .doc("bound on one lookup from one server; a lookup that fails keeps the last addresses and is counted in "
          + "`sluice_discovery_failures_total`");
  static final Key<DiscoveryConfig, List<String>> DNS_SERVERS = Key.of("dns_servers", Type.TEXTS,
          DiscoveryConfig::dnsServers).byDefault(List.of()).rule(DiscoveryConfig::serverProblem)
      .flag("--dns-server", "HOST:PORT")
      .doc("DNS servers to ask instead of the system's (`/etc/resolv.conf`), each tried in turn; with them, "
          + "names are looked up as written (no search domains)");

  /** The {@code discovery:} section. */
  public static final Section<DiscoveryConfig> SECTION = Section.of("discovery",
          v -> new DiscoveryConfig(v.get(DNS_REFRESH_MS), v.get(DNS_TIMEOUT_MS), v.get(DNS_SERVERS)),
          DNS_REFRESH_MS, DNS_TIMEOUT_MS, DNS_SERVERS)
      .doc("`discovery:`", "Endpoints found through DNS: a pool endpoint written `dns+http://NAME:PORT` (or "
          + "`dns+https://`) stands for every A and AAAA record of `NAME`, each its own endpoint (docs/operations.md).");

  public static final DiscoveryConfig DEFAULTS = SECTION.defaults();

  public DiscoveryConfig {
    dnsServers = List.copyOf(dnsServers);
  }

  public DiscoveryConfig withDnsServers(List<String> value) {
    return SECTION.with(this, DNS_SERVERS, value);
  }

  public DiscoveryConfig withDnsRefresh(Duration value) {
    return SECTION.with(this, DNS_REFRESH_MS, value);
  }

  public DiscoveryConfig withDnsTimeout(Duration value) {
    return SECTION.with(this, DNS_TIMEOUT_MS, value);
  }

  /** The host of a {@code host[:port]} server entry. */
  static String host(String server) {
    return split(server)[0];
  }

  /** The port of a {@code host[:port]} server entry, 53 when none is written. */
  static int port(String server) {
    String[] parts = split(server);
    return parts[1] == null ? 53 : Integer.parseInt(parts[1]);
  }

  /** {@code [host, port or null]}; an IPv6 address is written in brackets when a port follows. */
  private static String[] split(String server) {
    String s = server.trim();
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      String port = close + 1 < s.length() && s.charAt(close + 1) == ':' ? s.substring(close + 2) : null;
      return new String[] {s.substring(1, close), port};
    }
    int colon = s.indexOf(':');
    if (colon < 0 || s.indexOf(':', colon + 1) >= 0) {
      return new String[] {s, null}; // no port, or a bare IPv6 address
    }
    return new String[] {s.substring(0, colon), s.substring(colon + 1)};
  }

  private static String serverProblem(List<String> servers) {
    for (int i = 0; i < servers.size(); i++) {
      String s = servers.get(i).trim();
      if (s.isEmpty() || (s.startsWith("[") && s.indexOf(']') < 0)) {
        return "[" + i + "] must be HOST or HOST:PORT, got '" + s + "'";
      }
      try {
        int port = port(s);
        if (port < 1 || port > 65535) {
          return "[" + i + "] port must be within 1..65535, got '" + s + "'";
        }
      } catch (NumberFormatException e) {
        return "[" + i + "] must be HOST or HOST:PORT, got '" + s + "'";
      }
    }
    return null;
  }
}
