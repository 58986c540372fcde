package dev.sluice.dispatcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate made for a test by the JDK's own {@code keytool} (RSA, valid two days, for
 * {@code localhost}, {@code upstream.test} and 127.0.0.1), written as the two PEM files a server is given.
 *
 * @param cert the certificate, PEM
 * @param key  its private key, PEM (PKCS#8)
 */
record SelfSigned(Path cert, Path key) {
  private static final char[] PASSWORD = "changeit".toCharArray();

  /** Makes a certificate whose subject is {@code CN=commonName} and writes it to {@code name}.crt and .key in {@code dir}. */
  static SelfSigned make(Path dir, String name, String commonName) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Files.deleteIfExists(store);
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "s", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=" + commonName, "-ext", "SAN=dns:localhost,dns:upstream.test,ip:127.0.0.1,ip:127.0.0.2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
        "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    Certificate cert = ks.getCertificate("s");
    PrivateKey key = (PrivateKey) ks.getKey("s", PASSWORD);
    SelfSigned pem = new SelfSigned(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    pem.write(cert, key);
    return pem;
  }

  /** Puts this certificate's content in place of {@code other}'s files (a rotation, as a tool would do it). */
  void replace(SelfSigned other) throws IOException {
    Files.write(other.cert, Files.readAllBytes(cert));
    Files.write(other.key, Files.readAllBytes(key));
  }

  private void write(Certificate certificate, PrivateKey privateKey) throws Exception {
    Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
