package dev.sluice.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code ./sluice --version}: Sluice's version from the jar, and the runtime it runs on. */
public final class Version implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {
        "sluice " + of(Version.class, "(development build)"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name", "?") + "), Vert.x "
            + of(io.vertx.core.Vertx.class, "?") + ", Hazelcast " + of(com.hazelcast.core.Hazelcast.class, "?")};
  }

  /** The Implementation-Version of the jar a class came from. */
  private static String of(Class<?> type, String fallback) {
    String v = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
    return v == null ? fallback : v;
  }
}
