package dev.spillway.core.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How webhooks are signed, so a receiver can tell they come from Spillway and were not replayed long after.
 *
 * <p>Each tenant has its own signing secret, derived from the deployment's master secret
 * ({@code spillway.webhooks.signing-secret}) with HKDF-SHA256 (RFC 5869): salt {@code spillway-webhooks-v1}, info
 * {@code tenant:<tenant>}, 32 bytes, written as {@code whsec_} and 64 lower-case hex digits. Nothing is stored per
 * tenant; the operator hands a tenant its secret ({@link #tenantSecret}), and rotating the master rotates them all.
 *
 * <p>A delivery carries {@code Spillway-Signature: t=<unix seconds>,v1=<hex>} where {@code v1} is
 * HMAC-SHA256, keyed with the UTF-8 bytes of the whole secret string ({@code whsec_...}), over the UTF-8 bytes of
 * {@code <t>.} followed by the raw request body. The receiver recomputes it, compares in constant time, and
 * rejects a {@code t} too far from its clock (five minutes is usual).
 */
public final class WebhookSignatures {

    public static final String SIGNATURE_HEADER = "Spillway-Signature";
    public static final String WEBHOOK_ID_HEADER = "Spillway-Webhook-Id";
    public static final String TIMESTAMP_HEADER = "Spillway-Webhook-Timestamp";
    public static final String ATTEMPT_HEADER = "Spillway-Webhook-Attempt";
    public static final String EVENT_HEADER = "Spillway-Event";
    static final String SECRET_PREFIX = "whsec_";
    private static final byte[] SALT = "spillway-webhooks-v1".getBytes(StandardCharsets.UTF_8);

    private WebhookSignatures() {
    }

    /** The signing secret of {@code tenant} under {@code masterSecret}. */
    public static String tenantSecret(String masterSecret, String tenant) {
        byte[] prk = hmac(SALT, masterSecret.getBytes(StandardCharsets.UTF_8));
        byte[] info = ("tenant:" + tenant).getBytes(StandardCharsets.UTF_8);
        byte[] block = new byte[info.length + 1];
        System.arraycopy(info, 0, block, 0, info.length);
        block[info.length] = 1; // T(1) = HMAC(PRK, info | 0x01): 32 bytes is one block
        return SECRET_PREFIX + HexFormat.of().formatHex(hmac(prk, block));
    }

    /** The {@code Spillway-Signature} header value for {@code body} sent at {@code timestamp} (Unix seconds). */
    public static String header(String secret, long timestamp, byte[] body) {
        return "t=" + timestamp + ",v1=" + v1(secret, timestamp, body);
    }

    /** The {@code v1} part: hex HMAC-SHA256 over {@code timestamp + "." + body}. */
    public static String v1(String secret, long timestamp, byte[] body) {
        byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), signed));
    }

    /** What a receiver does: true when {@code header} signs {@code body} with {@code secret}, within tolerance. */
    public static boolean verify(String secret, String header, byte[] body, long nowSeconds, long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        Long timestamp = null;
        String signature = null;
        for (String part : header.split(",")) {
            String[] pair = part.strip().split("=", 2);
            if (pair.length == 2 && pair[0].equals("t") && pair[1].matches("[0-9]{1,12}")) {
                timestamp = Long.parseLong(pair[1]);
            } else if (pair.length == 2 && pair[0].equals("v1")) {
                signature = pair[1];
            }
        }
        if (timestamp == null || signature == null || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
            return false;
        }
        return MessageDigest.isEqual(v1(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
