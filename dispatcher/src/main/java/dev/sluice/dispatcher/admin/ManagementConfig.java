package dev.sluice.dispatcher.admin;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import dev.sluice.dispatcher.security.ApiKey;
import java.util.List;

/**
 * The management listener: the {@code management:} section. {@code /metrics}, {@code /health/*} and
 * {@code /admin/*} are served here only, on an address of their own (loopback unless said otherwise), so
 * the public listener serves the API alone.
 *
 * @param host address the management listener binds to
 * @param port its port ({@code 0} picks a free one)
 * @param keys SHA-256 hashes (64 hex digits) of the keys a management request must present as
 *             {@code Authorization: Bearer KEY}; none: no key asked. {@code /health/*} never asks
 */
public record ManagementConfig(String host, int port, List<String> keys) {
  static final Key<ManagementConfig, String> HOST = Key.of("host", Type.TEXT, ManagementConfig::host)
      .byDefault("127.0.0.1").notBlank().flag("--management-host", "ADDR")
      .doc("address the management listener (`/metrics`, `/health/*`, `/admin/*`) binds to; loopback unless "
          + "Prometheus or probes come from elsewhere");
  static final Key<ManagementConfig, Integer> PORT = Key.of("port", Type.INTEGER, ManagementConfig::port)
      .byDefault(9464).within(0, 65535).flag("--management-port", "PORT")
      .doc("the management listener's port (`0` picks a free one)");
  static final Key<ManagementConfig, List<String>> KEYS = Key.of("keys", Type.TEXTS, ManagementConfig::keys)
      .byDefault(List.of()).rule(ManagementConfig::keyProblem)
      .doc("SHA-256 hashes (`./sluice hash-key`) of the keys a management request must present as "
          + "`Authorization: Bearer KEY` (401 otherwise); `/health/*` stays open for probes. None: no key asked");

  /** The {@code management:} section. */
  public static final Section<ManagementConfig> SECTION = Section.of("management",
          v -> new ManagementConfig(v.get(HOST), v.get(PORT), v.get(KEYS)), HOST, PORT, KEYS)
      .doc("`management:`", "The management listener (docs/security.md says what it protects).");

  public static final ManagementConfig DEFAULTS = SECTION.defaults();

  public ManagementConfig {
    keys = List.copyOf(keys);
  }

  public ManagementConfig withHost(String value) {
    return SECTION.with(this, HOST, value);
  }

  public ManagementConfig withPort(int value) {
    return SECTION.with(this, PORT, value);
  }

  public ManagementConfig withKeys(List<String> value) {
    return SECTION.with(this, KEYS, value);
  }

  private static String keyProblem(List<String> hashes) {
    for (int i = 0; i < hashes.size(); i++) {
      if (!ApiKey.isHash(hashes.get(i))) {
        return "[" + i + "] must be 64 hex digits (the key's SHA-256, as ./sluice hash-key prints it)";
      }
    }
    return null;
  }
}
