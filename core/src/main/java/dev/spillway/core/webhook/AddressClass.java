package dev.spillway.core.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What kind of address a callback would connect to. Classified on the bytes of the address (never on its text), so
 * every spelling of one address (IPv4-mapped or -compatible IPv6, NAT64, 6to4) lands in the same class as the IPv4
 * address it carries.
 */
public enum AddressClass {
    PUBLIC,
    /** 127.0.0.0/8, ::1. */
    LOOPBACK,
    /** 10/8, 172.16/12, 192.168/16 (RFC 1918). */
    PRIVATE,
    /** 100.64/10 (RFC 6598). */
    CARRIER_GRADE_NAT,
    /** fc00::/7 (RFC 4193), and the deprecated site-local fec0::/10. */
    UNIQUE_LOCAL,
    /** 169.254/16, fe80::/10. */
    LINK_LOCAL,
    /** The EC2 instance metadata service: 169.254.169.254, fd00:ec2::254 (and 169.254.170.2 of ECS tasks). */
    INSTANCE_METADATA,
    /** 0.0.0.0/8, ::. */
    UNSPECIFIED,
    /** 224/4, ff00::/8. */
    MULTICAST,
    /** Documentation, benchmarking, IETF protocol assignments, 240/4 and the broadcast address. */
    RESERVED;

    /** Whether a callback may connect to an address of this class. */
    public boolean allowed(boolean allowPrivateAddresses) {
        return switch (this) {
            case PUBLIC -> true;
            case LOOPBACK, PRIVATE, CARRIER_GRADE_NAT, UNIQUE_LOCAL -> allowPrivateAddresses;
            case LINK_LOCAL, INSTANCE_METADATA, UNSPECIFIED, MULTICAST, RESERVED -> false;
        };
    }

    public static AddressClass of(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return ofIpv4(bytes);
        }
        if (address instanceof Inet6Address) {
            return ofIpv6(bytes);
        }
        return RESERVED;
    }

    private static AddressClass ofIpv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        int a3 = b[3] & 0xff;
        if (a0 == 169 && a1 == 254 && ((a2 == 169 && a3 == 254) || (a2 == 170 && a3 == 2))) {
            return INSTANCE_METADATA;
        }
        if (a0 == 0) {
            return UNSPECIFIED;
        }
        if (a0 == 127) {
            return LOOPBACK;
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return PRIVATE;
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return CARRIER_GRADE_NAT;
        }
        if (a0 == 169 && a1 == 254) {
            return LINK_LOCAL;
        }
        if (a0 >= 224 && a0 <= 239) {
            return MULTICAST;
        }
        if (a0 >= 240 // 240/4 and 255.255.255.255
                || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) // IETF assignments, TEST-NET-1
                || (a0 == 198 && (a1 & 0xfe) == 18) // benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100) // TEST-NET-2
                || (a0 == 203 && a1 == 0 && a2 == 113)) { // TEST-NET-3
            return RESERVED;
        }
        return PUBLIC;
    }

    private static AddressClass ofIpv6(byte[] b) {
        if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return ofIpv4(slice(b, 12)); // ::ffff:a.b.c.d, IPv4-mapped
        }
        if (allZero(b, 0, 12)) {
            if (allZero(b, 12, 15) && (b[15] == 0 || b[15] == 1)) {
                return b[15] == 0 ? UNSPECIFIED : LOOPBACK;
            }
            return ofIpv4(slice(b, 12)); // ::a.b.c.d, IPv4-compatible (deprecated, still routed by some stacks)
        }
        if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && allZero(b, 4, 12)) {
            return ofIpv4(slice(b, 12)); // 64:ff9b::a.b.c.d, NAT64
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return ofIpv4(slice(b, 2)); // 2002:a.b.c.d::/48, 6to4
        }
        if ((b[0] & 0xff) == 0xfd && b[1] == 0 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2
                && allZero(b, 4, 14) && (b[14] & 0xff) == 0x02 && (b[15] & 0xff) == 0x54) {
            return INSTANCE_METADATA; // fd00:ec2::254
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0xff) {
            return MULTICAST;
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return LINK_LOCAL;
        }
        if ((first & 0xfe) == 0xfc || (first == 0xfe && (second & 0xc0) == 0xc0)) {
            return UNIQUE_LOCAL;
        }
        if (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return RESERVED; // 2001:db8::/32, documentation
        }
        if ((first & 0xe0) != 0x20) {
            return RESERVED; // outside 2000::/3, the only global unicast space
        }
        return PUBLIC;
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] bytes, int from) {
        return new byte[] { bytes[from], bytes[from + 1], bytes[from + 2], bytes[from + 3] };
    }
}
