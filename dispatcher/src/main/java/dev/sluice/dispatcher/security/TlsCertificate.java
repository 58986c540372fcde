package dev.sluice.dispatcher.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import javax.net.ssl.X509KeyManager;

/**
 * A server certificate chain and its private key, read from PEM files and checked the way the server will use
 * them (Vert.x's own PEM reading) before anything serves with them: a file that is missing, unreadable or not
 * PEM of the right kind fails here, never in a handshake.
 *
 * @param cert     the certificate chain, PEM
 * @param key      the private key, PEM (PKCS#8, or PKCS#1 RSA)
 * @param notAfter when the first certificate of the chain expires
 */
public record TlsCertificate(Buffer cert, Buffer key, Instant notAfter) {

  /** Why a pair of files cannot serve, naming which file. */
  public static final class Unusable extends Exception {
    private final boolean certFile;

    Unusable(boolean certFile, String message, Throwable cause) {
      super(message, cause);
      this.certFile = certFile;
    }

    /** True when the certificate file is at fault, false for the key file. */
    public boolean certFile() {
      return certFile;
    }
  }

  /** Reads and checks both files (blocking: call it off the event loops). */
  public static TlsCertificate read(Path certFile, Path keyFile) throws Unusable {
    Buffer cert = readFile(certFile, true);
    Buffer key = readFile(keyFile, false);
    if (!cert.toString().contains("-----BEGIN CERTIFICATE-----")) {
      throw new Unusable(true, "holds no PEM certificate", null);
    }
    if (!key.toString().contains("PRIVATE KEY-----")) {
      throw new Unusable(false, "holds no PEM private key", null);
    }
    PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
    X509Certificate leaf;
    PrivateKey privateKey;
    try {
      KeyStore store = options.loadKeyStore(null);
      X509KeyManager manager = (X509KeyManager) options.getKeyManagerFactory(null).getKeyManagers()[0];
      String alias = Collections.list(store.aliases()).get(0);
      leaf = manager.getCertificateChain(alias)[0];
      privateKey = manager.getPrivateKey(alias);
    } catch (Exception e) {
      throw new Unusable(false, "cannot be used with the certificate: " + e.getMessage(), e);
    }
    if (!pairs(privateKey, leaf.getPublicKey())) {
      throw new Unusable(false, "is not the key of the certificate in the certificate file", null);
    }
    return new TlsCertificate(cert, key, leaf.getNotAfter().toInstant());
  }

  /** Whether {@code privateKey} signs what {@code publicKey} verifies: the key belongs to the certificate. */
  private static boolean pairs(PrivateKey privateKey, PublicKey publicKey) {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> privateKey.getAlgorithm(); // Ed25519, Ed448
    };
    try {
      byte[] challenge = "sluice".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The server's TLS options with this certificate. */
  public ServerSSLOptions serverOptions() {
    return new ServerSSLOptions().setKeyCertOptions(keyCert());
  }

  public PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
  }

  private static Buffer readFile(Path file, boolean certFile) throws Unusable {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Unusable(certFile, "does not exist", e);
    } catch (java.nio.file.AccessDeniedException e) {
      throw new Unusable(certFile, "may not be read by this user", e);
    } catch (IOException | SecurityException e) {
      throw new Unusable(certFile, "cannot be read (" + e.getMessage() + ")", e);
    }
  }
}
