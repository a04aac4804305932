package dev.spillway.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.spillway.core.api.ApiException;

/** The SSRF guard on callback URLs: scheme, spelling, and every address the host resolves to. */
class CallbackUrlsTest {

    /** A fixed DNS, so the tests say what a name resolves to; literals resolve as the JDK parses them. */
    private static final Map<String, String[]> DNS = Map.of(
            "hooks.example.com", new String[] { "93.184.216.34" },
            "split.example.com", new String[] { "93.184.216.34", "10.1.2.3" },
            "metadata.example.com", new String[] { "169.254.169.254" },
            "v6.example.com", new String[] { "2606:4700::1" });

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String[] addresses = DNS.get(host);
        if (addresses == null) {
            if (!host.matches("[0-9.:a-fA-F]+")) {
                throw new UnknownHostException(host);
            }
            return InetAddress.getAllByName(host);
        }
        InetAddress[] resolved = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            resolved[i] = InetAddress.getByAddress(host, InetAddress.getByName(addresses[i]).getAddress());
        }
        return resolved;
    }

    private final CallbackUrls production = new CallbackUrls(false, false, CallbackUrlsTest::resolve);
    private final CallbackUrls local = new CallbackUrls(true, true, CallbackUrlsTest::resolve);

    @Test
    void publicHttpsUrl_isBoundToTheAddressItWasCheckedAt() throws Exception {
        CallbackTarget target = production.check("https://hooks.example.com/spillway?tenant=a");

        assertThat(target.tls()).isTrue();
        assertThat(target.port()).isEqualTo(443);
        assertThat(target.host()).isEqualTo("hooks.example.com");
        assertThat(target.hostHeader()).isEqualTo("hooks.example.com");
        assertThat(target.requestTarget()).isEqualTo("/spillway?tenant=a");
        assertThat(target.address().getHostAddress()).isEqualTo("93.184.216.34");
    }

    @Test
    void ipv6Literal_isCheckedWithoutItsBrackets() throws Exception {
        CallbackTarget target = production.check("https://[2606:4700:4700::1111]:8443/h");

        assertThat(target.address().getHostAddress()).isEqualTo("2606:4700:4700:0:0:0:0:1111");
        assertThat(target.hostHeader()).isEqualTo("[2606:4700:4700::1111]:8443");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1/h", "https://10.0.0.1/h", "https://192.168.0.10/h", "https://100.64.1.1/h",
            "https://169.254.169.254/latest/meta-data/", "https://[::1]/h", "https://[fd00:ec2::254]/h",
            "https://[::ffff:169.254.169.254]/h", "https://[::ffff:7f00:1]/h", "https://[fe80::1]/h",
            "https://0.0.0.0/h", "https://metadata.example.com/h",
            // one bad address among good ones is enough to refuse
            "https://split.example.com/h",
    })
    void internalAddresses_areRefusedInProduction(String url) {
        assertThatThrownBy(() -> production.check(url)).isInstanceOf(RefusedCallback.class)
                .satisfies(e -> assertThat(((RefusedCallback) e).code()).isEqualTo("callback_address_not_allowed"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://169.254.169.254/", "http://[fd00:ec2::254]/", "http://169.254.10.1/" })
    void metadataAndLinkLocal_areRefusedEvenWhenPrivateAddressesAreAllowed(String url) {
        assertThatThrownBy(() -> local.check(url)).isInstanceOf(RefusedCallback.class);
    }

    @Test
    void loopback_isAllowedWhenConfigured() throws Exception {
        assertThat(local.check("http://127.0.0.1:8080/hook").address().isLoopbackAddress()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://2130706433/h", // 127.0.0.1 as one decimal number
            "https://0x7f000001/h", "https://0177.0.0.1/h", // hex, octal
            "https://127.1/h", "https://0x7f.0.0.1/h", "https://010.0.0.1/h",
    })
    void numericHostsInNonStandardForms_areRefused(String url) {
        assertThatThrownBy(() -> local.check(url)).isInstanceOf(RefusedCallback.class)
                .satisfies(e -> assertThat(((RefusedCallback) e).code()).isEqualTo("invalid_callback_url"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://hooks.example.com/h", "ftp://hooks.example.com/h", "file:///etc/passwd", "hooks.example.com/h",
            "https://user:pass@hooks.example.com/h", "https:///h", "https://hooks.example.com/h#frag",
            "https://hooks.example.com/a b", "",
    })
    void malformedOrPlainHttpUrls_areRefusedInProduction(String url) {
        assertThatThrownBy(() -> production.check(url)).isInstanceOf(RefusedCallback.class);
    }

    @Test
    void unresolvableHost_isRefused() {
        assertThatThrownBy(() -> production.check("https://nowhere.invalid/h")).isInstanceOf(RefusedCallback.class)
                .satisfies(e -> assertThat(((RefusedCallback) e).code()).isEqualTo("callback_host_unresolvable"));
    }

    @Test
    void refusalAtSubmission_isA400NamingTheParameter() {
        assertThatThrownBy(() -> production.checkAtSubmission("https://10.0.0.1/h", "callback_url"))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> {
                    ApiException refused = (ApiException) e;
                    assertThat(refused.status()).isEqualTo(400);
                    assertThat(refused.code()).isEqualTo("callback_address_not_allowed");
                    assertThat(refused.toBody().error().param()).isEqualTo("callback_url");
                });
        assertThat(production.checkAtSubmission(null, "callback_url")).isNull();
    }

    @Test
    void signatureHeader_roundTripsAndRejectsTamperingAndStaleTimestamps() {
        String secret = WebhookSignatures.tenantSecret("master", "acme");
        byte[] body = "{\"id\":\"job_x\"}".getBytes();
        String header = WebhookSignatures.header(secret, 1_700_000_000L, body);

        assertThat(secret).startsWith("whsec_").hasSize(6 + 64);
        assertThat(secret).isNotEqualTo(WebhookSignatures.tenantSecret("master", "other"));
        assertThat(WebhookSignatures.verify(secret, header, body, 1_700_000_100L, 300)).isTrue();
        assertThat(WebhookSignatures.verify(secret, header, "{\"id\":\"job_y\"}".getBytes(), 1_700_000_100L, 300))
                .isFalse();
        assertThat(WebhookSignatures.verify(secret, header, body, 1_700_001_000L, 300)).isFalse();
        assertThat(WebhookSignatures.verify(WebhookSignatures.tenantSecret("master", "other"), header, body,
                1_700_000_000L, 300)).isFalse();
    }
}
