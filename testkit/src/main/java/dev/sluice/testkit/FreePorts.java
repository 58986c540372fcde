package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports free right now on 127.0.0.1, for what must know its port before it starts (a Hazelcast member list, a
 * child process). A server a test starts itself listens on port 0 instead.
 */
public final class FreePorts {
  private FreePorts() {
  }

  /** {@code n} distinct ports: held open together while they are picked, then released. */
  public static List<Integer> pick(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        s.setReuseAddress(true);
        held.add(s);
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // a port that could not be closed stays taken; whatever binds it next says so
        }
      }
    }
  }

  /** One port. */
  public static int pick() {
    return pick(1).get(0);
  }
}
