package dev.sluice.dispatcher.security;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import dev.sluice.config.Values;
import java.nio.file.Path;
import java.time.Duration;

/**
 * TLS on the public listener: the {@code tls:} section. With both files set the listener speaks HTTPS only
 * (ALPN offers h2 and http/1.1); the files are read and checked when the configuration is loaded, so a missing
 * or unreadable file stops the node at start naming its key, and read again whenever they change.
 *
 * @param certFile    the certificate chain (PEM), or null for plain HTTP
 * @param keyFile     its private key (PEM), or null
 * @param checkPeriod how often the files are checked for a change
 * @param certificate what the files held when loaded, or null without TLS
 */
public record TlsConfig(Path certFile, Path keyFile, Duration checkPeriod, TlsCertificate certificate) {
  static final Key<TlsConfig, Path> CERT_FILE = Key.of("cert_file", Type.PATH, TlsConfig::certFile)
      .flag("--tls-cert", "PEM")
      .doc("certificate chain (PEM) of the public listener; with `key_file`, the listener speaks HTTPS (h2 and "
          + "http/1.1 by ALPN). Read again when it changes");
  static final Key<TlsConfig, Path> KEY_FILE = Key.of("key_file", Type.PATH, TlsConfig::keyFile)
      .flag("--tls-key", "PEM").doc("its private key (PEM, PKCS#8 or PKCS#1)");
  static final Key<TlsConfig, Duration> CHECK_MS = Key.of("check_ms", Type.MILLIS, TlsConfig::checkPeriod)
      .byDefault(Duration.ofSeconds(10)).atLeast(100)
      .doc("how often the two files are checked for a change; a changed pair that cannot serve is logged, "
          + "counted (`sluice_tls_reload_failures_total`) and the certificate in use is kept");

  /** The {@code tls:} section. */
  public static final Section<TlsConfig> SECTION = Section.of("tls", TlsConfig::of, CERT_FILE, KEY_FILE, CHECK_MS)
      .doc("`tls:`", "HTTPS on the public listener (docs/security.md). Upstream TLS is per pool (`ca_file`).");

  public static final TlsConfig NONE = SECTION.defaults();

  /** Whether the public listener speaks HTTPS. */
  public boolean enabled() {
    return certificate != null;
  }

  /** TLS with the certificate in these files, read now (blocking); a file that cannot serve fails here. */
  public static TlsConfig of(Path certFile, Path keyFile) {
    return new TlsConfig(certFile, keyFile, CHECK_MS.fallback(), load(certFile, keyFile));
  }

  public TlsConfig withCheckPeriod(Duration value) {
    return new TlsConfig(certFile, keyFile, value, certificate);
  }

  private static TlsConfig of(Values v) {
    Path cert = v.get(CERT_FILE);
    Path key = v.get(KEY_FILE);
    if (cert == null && key == null) {
      return new TlsConfig(null, null, v.get(CHECK_MS), null);
    }
    if (cert == null) {
      throw CERT_FILE.invalid("is required with key_file");
    }
    if (key == null) {
      throw KEY_FILE.invalid("is required with cert_file");
    }
    return new TlsConfig(cert, key, v.get(CHECK_MS), load(cert, key));
  }

  private static TlsCertificate load(Path cert, Path key) {
    try {
      return TlsCertificate.read(cert, key);
    } catch (TlsCertificate.Unusable e) {
      throw (e.certFile() ? CERT_FILE : KEY_FILE)
          .invalid("names '" + (e.certFile() ? cert : key) + "', which " + e.getMessage());
    }
  }
}
