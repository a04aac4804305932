package dev.spillway.core.job;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Job ids: {@code job_} and 26 lower-case base-32 characters (130 random bits), unguessable across tenants. */
public final class JobIds {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final Pattern FORMAT = Pattern.compile("job_[0-9a-hjkmnp-tv-z]{26}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private JobIds() {
    }

    public static String next() {
        char[] id = new char[26];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "job_" + new String(id);
    }

    public static boolean isWellFormed(String candidate) {
        return candidate != null && FORMAT.matcher(candidate).matches();
    }
}
