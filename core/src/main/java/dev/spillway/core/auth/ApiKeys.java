package dev.spillway.core.auth;

import java.security.SecureRandom;

import dev.spillway.core.Sha256;

/** API key material: {@code sk-spillway-} and 40 random base-62 characters (238 bits). */
public final class ApiKeys {

    public static final String PREFIX = "sk-spillway-";
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    public static String generate() {
        StringBuilder key = new StringBuilder(PREFIX);
        for (int i = 0; i < 40; i++) {
            key.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return key.toString();
    }

    public static String hash(String key) {
        return Sha256.hex(key);
    }
}
