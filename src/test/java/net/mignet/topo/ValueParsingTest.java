package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValueParsingTest {

    @Test
    void ipv4PrefixKeepsTheHostBits() {
        Ipv4Prefix p = Ipv4Prefix.parse("10.0.0.12/24");

        assertThat(p.address()).isEqualTo(Ipv4Address.ofOctets(10, 0, 0, 12));
        assertThat(p.length()).isEqualTo(24);
        assertThat(p.network()).hasToString("10.0.0.0");
        assertThat(p.contains(Ipv4Address.parse("10.0.0.200"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("10.0.1.1"))).isFalse();
        assertThat(p).hasToString("10.0.0.12/24");
    }

    @Test
    void ipv4PrefixEdgeLengths() {
        assertThat(Ipv4Prefix.parse("0.0.0.0/0").contains(Ipv4Address.parse("255.255.255.255"))).isTrue();
        assertThat(Ipv4Prefix.parse("192.168.0.13/32").netmaskBits()).isEqualTo(-1);
    }

    @Test
    void badIpv4PrefixesSayHowToWriteThem() {
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.1")).hasMessageContaining("has no prefix length");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.1/33")).hasMessageContaining("over 32");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.1/")).hasMessageContaining("bad prefix length");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.256/24")).hasMessageContaining("octet over 255");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0/24")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.x.1/24")).hasMessageContaining("not an IPv4 address");
    }

    @Test
    void macAddressRoundTrips() {
        MacAddress mac = MacAddress.parse("00:00:00:00:00:12");

        assertThat(mac.bits()).isEqualTo(0x12);
        assertThat(MacAddress.parse("AA:bb:CC:dd:EE:ff")).hasToString("aa:bb:cc:dd:ee:ff");
        assertThat(MacAddress.local(5)).hasToString("02:00:00:00:00:05");
    }

    @Test
    void badMacAddressesSayHowToWriteThem() {
        assertThatThrownBy(() -> MacAddress.parse("00:00:00:00:12")).hasMessageContaining("write it like 00:00:00:00:00:12");
        assertThatThrownBy(() -> MacAddress.parse("00:00:00:00:00:1g")).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> MacAddress.parse("000:00:00:00:00:12")).hasMessageContaining("not a MAC address");
    }

    @Test
    void durationsTakeMillisecondsMicrosecondsAndSeconds() {
        assertThat(LinkParams.parseDuration("5ms")).isEqualTo(Duration.ofMillis(5));
        assertThat(LinkParams.parseDuration("1.5ms")).isEqualTo(Duration.ofNanos(1500_000));
        assertThat(LinkParams.parseDuration("200us")).isEqualTo(Duration.ofNanos(200_000));
        assertThat(LinkParams.parseDuration("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(LinkParams.parseDuration(" 0ms ")).isZero();
        assertThat(LinkParams.parseDuration("2min")).isEqualTo(Duration.ofMinutes(2));
        assertThat(LinkParams.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badDurationsSayHowToWriteThem() {
        assertThatThrownBy(() -> LinkParams.parseDuration("5")).hasMessageContaining("has no unit (write it like 5ms");
        assertThatThrownBy(() -> LinkParams.parseDuration("fast ms")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> LinkParams.parseDuration("-1ms")).hasMessageContaining("non-negative");
        assertThatThrownBy(() -> LinkParams.parseDelay("2h")).hasMessageContaining("longer than 1 hour");
        assertThat(LinkParams.parseDuration("2h")).isEqualTo(Duration.ofHours(2)); // a wait may be longer
    }

    @Test
    void durationsAreFormattedInTheirLargestExactUnit() {
        assertThat(LinkParams.formatDuration(Duration.ofMillis(5))).isEqualTo("5ms");
        assertThat(LinkParams.formatDuration(Duration.ofNanos(1500_000))).isEqualTo("1500us");
        assertThat(LinkParams.formatDuration(Duration.ofSeconds(2))).isEqualTo("2s");
    }

    @Test
    void lossIsAPercentageWithOrWithoutTheSign() {
        assertThat(LinkParams.parsePercent("10%")).isEqualTo(10.0);
        assertThat(LinkParams.parsePercent("2.5")).isEqualTo(2.5);
        assertThatThrownBy(() -> LinkParams.parsePercent("lots")).hasMessageContaining("write it like 10%");
        assertThatThrownBy(() -> new LinkParams(null, null, null, 101.0)).hasMessageContaining("0..100");
    }
}
