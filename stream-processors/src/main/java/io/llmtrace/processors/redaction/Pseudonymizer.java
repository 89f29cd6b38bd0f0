package io.llmtrace.processors.redaction;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed HMAC-SHA256 pseudonyms: the same input and key always give the same pseudonym; without the
 * key it cannot be reversed or recomputed from a guess. One {@link Mac} per thread, because
 * {@code Mac.getInstance} costs more than the hash itself.
 */
public final class Pseudonymizer {

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> mac;

  public Pseudonymizer(byte[] key) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("hash key must not be empty");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.mac = ThreadLocal.withInitial(this::newMac);
  }

  /** The first {@code hexChars} hex characters of HMAC-SHA256(key, value). */
  public String hex(String value, int hexChars) {
    byte[] digest = mac.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, (hexChars + 1) / 2).substring(0, hexChars);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
