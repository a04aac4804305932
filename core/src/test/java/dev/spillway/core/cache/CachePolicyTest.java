package dev.spillway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CachePolicyTest {

    @Test
    void defaultReadsAndWrites() {
        assertThat(CachePolicy.from(null, null)).isEqualTo(new CachePolicy(true, true, false));
    }

    @Test
    void noCacheSkipsTheLookupButStores() {
        assertThat(CachePolicy.from("max-age=0, No-Cache", null)).isEqualTo(new CachePolicy(false, true, false));
    }

    @Test
    void noStoreNeitherReadsNorWrites() {
        assertThat(CachePolicy.from("no-store", "force")).isEqualTo(new CachePolicy(false, false, true));
    }

    @Test
    void forceOptsANonDeterministicRequestIn() {
        assertThat(CachePolicy.from(null, " FORCE ").force()).isTrue();
        assertThat(CachePolicy.from(null, "maybe").force()).isFalse();
    }
}
