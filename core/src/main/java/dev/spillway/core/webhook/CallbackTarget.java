package dev.spillway.core.webhook;

import java.net.InetAddress;
import java.net.URI;

/**
 * A callback URL that passed the checks, bound to the address it was checked at: the notifier connects to
 * {@link #address()} and never looks the host up again, so a DNS answer that changes between the check and the
 * connection cannot redirect it.
 *
 * @param host the host as written in the URL (sent as {@code Host} and as the TLS server name)
 * @param requestTarget path and query, at least {@code /}
 */
public record CallbackTarget(URI uri, boolean tls, String host, int port, String requestTarget, InetAddress address) {

    /** {@code Host} header value: the port only when it is not the scheme's default. */
    public String hostHeader() {
        String name = host.contains(":") ? "[" + host + "]" : host;
        return port == (tls ? 443 : 80) ? name : name + ":" + port;
    }
}
