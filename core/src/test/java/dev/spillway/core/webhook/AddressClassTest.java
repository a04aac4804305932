package dev.spillway.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every spelling of an address lands in the class of the address it means. */
class AddressClassTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "8.8.8.8, PUBLIC",
            "1.1.1.1, PUBLIC",
            "127.0.0.1, LOOPBACK",
            "127.255.255.254, LOOPBACK",
            "10.0.0.1, PRIVATE",
            "172.16.0.1, PRIVATE",
            "172.31.255.255, PRIVATE",
            "172.32.0.1, PUBLIC",
            "192.168.1.1, PRIVATE",
            "100.64.0.1, CARRIER_GRADE_NAT",
            "100.127.255.255, CARRIER_GRADE_NAT",
            "100.128.0.1, PUBLIC",
            "169.254.169.254, INSTANCE_METADATA",
            "169.254.170.2, INSTANCE_METADATA",
            "169.254.1.1, LINK_LOCAL",
            "0.0.0.0, UNSPECIFIED",
            "224.0.0.1, MULTICAST",
            "255.255.255.255, RESERVED",
            "192.0.2.1, RESERVED",
            "198.18.0.1, RESERVED",
            "::1, LOOPBACK",
            "::, UNSPECIFIED",
            "fe80::1, LINK_LOCAL",
            "fc00::1, UNIQUE_LOCAL",
            "fd12:3456::1, UNIQUE_LOCAL",
            "fd00:ec2::254, INSTANCE_METADATA",
            "ff02::1, MULTICAST",
            "2001:db8::1, RESERVED",
            "2606:4700:4700::1111, PUBLIC",
            // IPv4 carried in IPv6: judged by the IPv4 address inside
            "::ffff:127.0.0.1, LOOPBACK",
            "::ffff:169.254.169.254, INSTANCE_METADATA",
            "::ffff:10.0.0.1, PRIVATE",
            "::ffff:8.8.8.8, PUBLIC",
            "::10.0.0.1, PRIVATE",
            "64:ff9b::a9fe:a9fe, INSTANCE_METADATA",
            "2002:7f00:1::, LOOPBACK",
            "2002:0808:0808::1, PUBLIC",
    })
    void classifiesTheAddressNotItsSpelling(String literal, AddressClass expected) throws Exception {
        assertThat(AddressClass.of(InetAddress.getByName(literal))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} with private addresses allowed: {1}")
    @CsvSource({
            "PUBLIC, true", "LOOPBACK, true", "PRIVATE, true", "CARRIER_GRADE_NAT, true", "UNIQUE_LOCAL, true",
            "LINK_LOCAL, false", "INSTANCE_METADATA, false", "UNSPECIFIED, false", "MULTICAST, false",
            "RESERVED, false",
    })
    void allowingPrivateAddresses_neverOpensMetadataOrLinkLocal(AddressClass kind, boolean allowed) {
        assertThat(kind.allowed(true)).isEqualTo(allowed);
        assertThat(kind.allowed(false)).isEqualTo(kind == AddressClass.PUBLIC);
    }
}
