package dev.spillway.core.webhook;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.core.api.ApiException;

/**
 * The SSRF guard for callback URLs, applied when a job is submitted and again when its webhook is delivered (DNS
 * may have changed in between). A URL passes when it is absolute {@code https} ({@code http} only when allowed), has
 * no user info, and every address its host resolves to is one a callback may reach ({@link AddressClass}). The
 * notifier then connects to the checked address itself ({@link CallbackTarget}).
 */
@ApplicationScoped
public class CallbackUrls {

    static final int MAX_LENGTH = 2048;
    /** Hosts that only digits, dots and hex prefixes make up: numeric forms other than the dotted quad. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9a-fA-FxX.]+");
    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern HEX_LABEL = Pattern.compile("(0[xX][0-9a-fA-F]*|[0-9]+)");

    /** How a host name becomes addresses; the system resolver outside tests. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowHttp;
    private final boolean allowPrivateAddresses;
    private final Resolver resolver;

    @Inject
    public CallbackUrls(WebhooksConfig config) {
        this(config.allowHttp(), config.allowPrivateAddresses(), InetAddress::getAllByName);
    }

    public CallbackUrls(boolean allowHttp, boolean allowPrivateAddresses, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.resolver = resolver;
    }

    /**
     * The check at submission, as a 400 in the OpenAI error shape naming {@code param}.
     *
     * @return the URL as it will be stored, or null when none was given
     */
    public String checkAtSubmission(String url, String param) {
        if (url == null) {
            return null;
        }
        try {
            return check(url).uri().toString();
        } catch (RefusedCallback refused) {
            throw ApiException.invalid(param, refused.code(), refused.getMessage());
        }
    }

    /** Parses {@code url}, resolves its host and checks every address; the target is bound to the first one. */
    public CallbackTarget check(String url) throws RefusedCallback {
        URI uri = parse(url);
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost();
        boolean literal6 = host.startsWith("[");
        if (literal6) {
            host = host.substring(1, host.length() - 1);
        } else {
            checkHostSpelling(host);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new RefusedCallback("callback_host_unresolvable",
                    "The callback URL's host '" + host + "' does not resolve.");
        }
        if (addresses == null || addresses.length == 0) {
            throw new RefusedCallback("callback_host_unresolvable",
                    "The callback URL's host '" + host + "' does not resolve.");
        }
        // Every address, not just the first: a name that also points inside must not pass by luck of ordering.
        for (InetAddress address : addresses) {
            AddressClass kind = AddressClass.of(address);
            if (!kind.allowed(allowPrivateAddresses)) {
                throw new RefusedCallback("callback_address_not_allowed", "The callback URL's host '" + host
                        + "' resolves to " + address.getHostAddress() + ", a " + describe(kind)
                        + " address that webhooks may not reach.");
            }
        }
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new CallbackTarget(uri, tls, host, port, target, addresses[0]);
    }

    private URI parse(String url) throws RefusedCallback {
        if (url.isEmpty() || url.length() > MAX_LENGTH || !url.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new RefusedCallback("invalid_callback_url",
                    "The callback URL must be 1 to " + MAX_LENGTH + " visible ASCII characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedCallback("invalid_callback_url", "The callback URL is not a valid URL: " + e.getReason() + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
            throw new RefusedCallback("callback_scheme_not_allowed",
                    allowHttp ? "The callback URL must start with https:// or http://."
                            : "The callback URL must start with https://.");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedCallback("invalid_callback_url", "The callback URL may not carry user info (user@host).");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new RefusedCallback("invalid_callback_url", "The callback URL has no host.");
        }
        if (uri.getRawFragment() != null) {
            throw new RefusedCallback("invalid_callback_url", "The callback URL may not carry a fragment (#...).");
        }
        return uri;
    }

    /**
     * Refuses numeric hosts other than a plain dotted quad ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}):
     * resolvers disagree on what they mean (decimal or octal), and a receiver worth calling has a name.
     */
    private static void checkHostSpelling(String host) throws RefusedCallback {
        if (!NUMERIC_HOST.matcher(host).matches() || DOTTED_QUAD.matcher(host).matches()) {
            return;
        }
        String[] labels = host.split("\\.", -1);
        String last = labels[labels.length - 1];
        // A name whose last label is letters-only hex (e.g. "cafe.be" is not, but "dead.beef" is) is still a name.
        if (!HEX_LABEL.matcher(last).matches()) {
            return;
        }
        throw new RefusedCallback("invalid_callback_url", "The callback URL's host '" + IDN.toUnicode(host)
                + "' is a numeric address in a non-standard form; write it as a dotted quad or use a name.");
    }

    private static String describe(AddressClass kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
