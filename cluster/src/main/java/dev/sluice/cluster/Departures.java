package dev.sluice.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Members that said they were leaving. Hazelcast has no goodbye in its protocol: a member that shuts down
 * gracefully still leaves its peers a closed connection, which they report at WARNING ("Removing connection to
 * endpoint", "suspected to be dead") exactly as they would a crash. So a Sluice node about to leave first
 * publishes its member address on {@link #TOPIC}; every node remembers it for {@link #REMEMBER_SECONDS}, and
 * those reports about a member that announced its departure are logged at INFO instead, as is the next
 * master's claim when the one that left was the master. A member that dies without a word is still reported
 * at WARNING.
 */
final class Departures {
  static final String TOPIC = "sluice.leaving";
  static final long REMEMBER_SECONDS = 60;
  static final String NOTE = " (it announced that it was leaving)";
  /**
   * The Hazelcast loggers that report a peer's closed or reset connection, the failed attempts to reconnect, and its
   * removal from the member list. A record is demoted only when it names a member that announced its departure,
   * so the list may be generous.
   */
  static final List<String> LOGGERS = List.of(
      "com.hazelcast.internal.server.tcp.TcpServerConnection",
      "com.hazelcast.internal.server.tcp.TcpServerConnectionErrorHandler",
      "com.hazelcast.internal.server.tcp.TcpServerConnectionChannelErrorHandler",
      "com.hazelcast.internal.server.tcp.TcpServerConnectionManager",
      "com.hazelcast.internal.server.tcp.TcpServerConnector",
      "com.hazelcast.internal.server.tcp.TcpServerControl",
      "com.hazelcast.internal.cluster.impl.MembershipManager",
      "com.hazelcast.internal.cluster.impl.ClusterHeartbeatManager",
      "com.hazelcast.internal.cluster.ClusterService");

  /** Member address as Hazelcast prints it ({@code [127.0.0.1]:5701}) to when it announced its departure. */
  private static final Map<String, Long> ANNOUNCED = new ConcurrentHashMap<>();
  /** Held so that the filters set on them are not lost to garbage collection. */
  private static final List<Logger> FILTERED = LOGGERS.stream().map(Logger::getLogger).toList();

  static {
    for (Logger logger : FILTERED) {
      logger.setFilter(new Demote(logger));
    }
  }

  private Departures() {
  }

  /** Listens for departures announced by the other members of {@code hz}'s cluster. Blocks; not on an event loop. */
  static void watch(HazelcastInstance hz) {
    hz.<String>getTopic(TOPIC).addMessageListener(m -> ANNOUNCED.put(m.getMessageObject(), System.nanoTime()));
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // the address is someone's again
        ANNOUNCED.remove(event.getMember().getAddress().toString());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
      }
    });
  }

  /** Tells the other members that this one is about to leave. Call before shutting the member down. */
  static void announce(HazelcastInstance hz) {
    if (hz.getLifecycleService().isRunning()) {
      hz.<String>getTopic(TOPIC).publish(hz.getCluster().getLocalMember().getAddress().toString());
    }
  }

  /**
   * Whether a Hazelcast message reports what a departure announced in the last minute explains: the member's
   * closed connection or removal, or (after a master left) another member's claim to be master.
   */
  static boolean expected(String message) {
    if (message == null || ANNOUNCED.isEmpty()) {
      return false;
    }
    String body = body(message);
    long now = System.nanoTime();
    boolean recent = false;
    for (Map.Entry<String, Long> e : ANNOUNCED.entrySet()) {
      if (now - e.getValue() > TimeUnit.SECONDS.toNanos(REMEMBER_SECONDS)) {
        ANNOUNCED.remove(e.getKey(), e.getValue());
      } else if (body.contains(e.getKey())) {
        return true;
      } else {
        recent = true;
      }
    }
    return recent && body.startsWith(" Mastership of ") && body.contains(" is accepted");
  }

  /** A Hazelcast message without its {@code [address]:port [cluster] [version]} prefix, which names the reporter. */
  static String body(String message) {
    if (!message.startsWith("[")) {
      return message;
    }
    int at = 0;
    for (int i = 0; i < 3; i++) {
      int close = message.indexOf(']', at);
      if (close < 0) {
        return message;
      }
      at = close + 1;
    }
    return message.substring(at);
  }

  /** Passes every record, except a warning that an announced departure explains, which it logs again at INFO. */
  private record Demote(Logger logger) implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
      if (record.getLevel().intValue() < Level.WARNING.intValue() || !expected(record.getMessage())) {
        return true;
      }
      LogRecord info = new LogRecord(Level.INFO, record.getMessage() + NOTE);
      info.setLoggerName(record.getLoggerName());
      info.setSourceClassName(record.getSourceClassName());
      info.setSourceMethodName(record.getSourceMethodName());
      logger.log(info);
      return false;
    }
  }
}
