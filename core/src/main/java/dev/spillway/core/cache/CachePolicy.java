package dev.spillway.core.cache;

import java.util.Locale;

/**
 * What a request allows the cache to do, from {@code Cache-Control} ({@code no-cache}: do not answer from the
 * cache; {@code no-store}: neither answer from nor store in it) and the opt-in {@code X-Spillway-Cache: force}
 * that caches a non-deterministic request.
 */
public record CachePolicy(boolean read, boolean write, boolean force) {

    public static final CachePolicy DEFAULT = new CachePolicy(true, true, false);

    public static CachePolicy from(String cacheControl, String spillwayCache) {
        boolean noStore = false;
        boolean noCache = false;
        if (cacheControl != null) {
            for (String directive : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
                String name = directive.strip();
                noStore |= name.equals("no-store");
                noCache |= name.equals("no-cache");
            }
        }
        boolean force = spillwayCache != null && spillwayCache.strip().equalsIgnoreCase("force");
        return new CachePolicy(!noStore && !noCache, !noStore, force);
    }
}
