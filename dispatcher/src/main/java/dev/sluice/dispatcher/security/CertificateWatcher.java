package dev.sluice.dispatcher.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Picks up a certificate that changes on disk without a restart, as cert-manager and similar tools rotate
 * them: every {@code tls.check_ms} (off the event loops) the two files' modification times and sizes are
 * compared with the last seen; on a change the pair is read and checked whole, then handed to the listener.
 * A pair that cannot serve (garbage, a key that does not match, a file half written) is logged and counted
 * ({@code sluice_tls_reload_failures_total}), and the certificate in use stays; the next change is tried again.
 */
public final class CertificateWatcher {
  private static final System.Logger LOG = System.getLogger("sluice.tls");

  private final Vertx vertx;
  private final TlsConfig config;
  private final Function<TlsCertificate, Future<?>> install;
  private final Counter failures;
  private final Counter reloads;
  private volatile TlsCertificate current;
  private List<Object> seen;
  private long timer = -1;

  /** @param install puts a checked certificate in use on the listener */
  public CertificateWatcher(Vertx vertx, TlsConfig config, Function<TlsCertificate, Future<?>> install,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.install = install;
    this.current = config.certificate();
    this.failures = Counter.builder("sluice.tls.reload.failures")
        .description("changed certificate files that could not serve; the certificate in use was kept")
        .register(registry);
    this.reloads = Counter.builder("sluice.tls.reloads")
        .description("changed certificate files put in use without a restart").register(registry);
    Gauge.builder("sluice.tls.certificate.expiry.seconds", this,
            w -> w.current.notAfter().getEpochSecond())
        .description("when the certificate in use expires, seconds since the epoch").register(registry);
  }

  public CertificateWatcher start() {
    seen = stat();
    timer = vertx.setPeriodic(config.checkPeriod().toMillis(), id -> vertx.executeBlocking(() -> {
      check();
      return null;
    }, false));
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** The certificate in use. */
  public TlsCertificate current() {
    return current;
  }

  /** Blocking: runs on a worker. */
  private void check() {
    List<Object> now = stat();
    if (Objects.equals(now, seen)) {
      return;
    }
    seen = now;
    TlsCertificate next;
    try {
      next = TlsCertificate.read(config.certFile(), config.keyFile());
    } catch (TlsCertificate.Unusable e) {
      failures.increment();
      LOG.log(System.Logger.Level.ERROR, "tls: the changed {0} {1}; still serving the certificate loaded before",
          e.certFile() ? "certificate file " + config.certFile() : "key file " + config.keyFile(), e.getMessage());
      return;
    }
    install.apply(next).onComplete(ar -> {
      if (ar.succeeded()) {
        current = next;
        reloads.increment();
        LOG.log(System.Logger.Level.INFO, "tls: certificate reloaded from {0} (expires {1})", config.certFile(),
            next.notAfter());
      } else {
        failures.increment();
        LOG.log(System.Logger.Level.ERROR, "tls: the listener refused the changed certificate ({0}); still serving "
            + "the one loaded before", ar.cause().getMessage());
      }
    });
  }

  /** Modification time and size of both files (null for one that cannot be read now). */
  private List<Object> stat() {
    return java.util.Arrays.asList(attributes(config.certFile()), attributes(config.keyFile()));
  }

  private static Object attributes(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(a.lastModifiedTime(), a.size());
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
