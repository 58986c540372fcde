package dev.sluice.cluster;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a member binds and what it advertises when {@code cluster.interface} is not written: never every
 * interface. Hazelcast's open-source edition has no member authentication, so whoever reaches the member port
 * can join and write calibration; the network is the boundary, and the port is opened on one address only.
 *
 * <ul>
 *   <li>{@code *}: every interface, only when written so;</li>
 *   <li>an address written: that one;</li>
 *   <li>Kubernetes discovery: the pod's address ({@code POD_IP} from the downward API, else the address the pod's
 *       own name resolves to, which Kubernetes points at the pod);</li>
 *   <li>{@code members} given: the address of this node's own entry, the one that is an address of this host
 *       (on this member's port when several are), 127.0.0.1 for local members;</li>
 *   <li>none of these: 127.0.0.1.</li>
 * </ul>
 * Resolving member names may block: called once at start, off the event loops.
 */
public final class ClusterInterface {
  /** Written for every interface. */
  public static final String ANY = "*";

  private ClusterInterface() {
  }

  /**
   * The address to bind and advertise, or null for every interface.
   *
   * @throws IllegalArgumentException naming {@code cluster.interface} when members are given and none is this host
   */
  public static String choose(ClusterConfig c) {
    return choose(c, System.getenv("POD_IP"));
  }

  static String choose(ClusterConfig c, String podIp) {
    String written = c.bindInterface();
    if (written != null) {
      return written.trim().equals(ANY) ? null : written.trim();
    }
    if (c.kubernetes() != null) {
      if (podIp != null && !podIp.isBlank()) {
        return podIp.trim();
      }
      try {
        return InetAddress.getLocalHost().getHostAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("cluster.interface: this pod's address is unknown (" + e.getMessage()
            + "); set POD_IP from status.podIP or write cluster.interface", e);
      }
    }
    if (c.members().isEmpty()) {
      return "127.0.0.1";
    }
    String own = ownEntry(c.members(), c.port());
    if (own == null) {
      throw new IllegalArgumentException("cluster.interface: none of cluster.members " + c.members()
          + " is an address of this host; write this node's address as cluster.interface (or '*' for every "
          + "interface, which docs/security.md advises against)");
    }
    return own;
  }

  /** The address of the entry that is this host, preferring one on {@code port}; null when none is. */
  private static String ownEntry(List<String> members, int port) {
    String anyPort = null;
    for (String member : members) {
      String host = host(member);
      Integer memberPort = port(member);
      for (InetAddress a : resolve(host)) {
        if (local(a)) {
          String address = a.getHostAddress();
          if (memberPort == null || memberPort == port) {
            return address;
          }
          if (anyPort == null) {
            anyPort = address;
          }
        }
      }
    }
    return anyPort;
  }

  private static boolean local(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static List<InetAddress> resolve(String host) {
    try {
      return List.of(InetAddress.getAllByName(host));
    } catch (UnknownHostException e) {
      return new ArrayList<>();
    }
  }

  /** {@code host}, {@code host:port}, {@code [v6]:port}. */
  private static String host(String member) {
    String m = member.trim();
    if (m.startsWith("[")) {
      return m.substring(1, m.indexOf(']'));
    }
    int colon = m.lastIndexOf(':');
    return colon > 0 && m.indexOf(':') == colon ? m.substring(0, colon) : m;
  }

  private static Integer port(String member) {
    String m = member.trim();
    int colon = m.lastIndexOf(':');
    boolean hasPort = m.startsWith("[") ? m.indexOf("]:") > 0 : colon > 0 && m.indexOf(':') == colon;
    if (!hasPort) {
      return null;
    }
    try {
      return Integer.parseInt(m.substring(colon + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
